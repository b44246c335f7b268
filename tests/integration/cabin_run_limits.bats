#!/usr/bin/env bats
# cabin run's resource flags: --memory (and the OOM killer), --memory-swap,
# --pids-limit, --cpus, --cpu-shares, --cpuset-cpus, --ulimit, --shm-size.
# The container sees its own cgroup at /sys/fs/cgroup (cgroup namespace).

load cabin_helpers

# A container's own v1 controller file, from inside: cg CONTROLLER FILE.
cgfile() {
	echo "/sys/fs/cgroup/$1/$2"
}

@test "run --memory 32m: an allocating process ends with 137 and OOMKilled true" {
	import_busybox
	run_cabin run --name oom --memory 32m busybox sh -c \
		'x=$(head -c 100000000 /dev/zero | tr "\0" a); echo survived'
	[ "$status" -eq 137 ]
	[[ $output != *survived* ]]
	[ "$(cstate oom OOMKilled)" = true ]
	[ "$(cstate oom ExitCode)" = 137 ]
	[ "$(cabin inspect -f '{{.HostConfig.Memory}}' oom)" -eq $((32 << 20)) ]
	# a process that stays below its limit is not marked
	run_cabin run --name fine --memory 32m busybox sh -c 'x=$(head -c 1000000 /dev/zero | tr "\0" a); echo ok'
	[ "$output" = ok ]
	[ "$(cstate fine OOMKilled)" = false ]
	run_cabin run --rm --memory 1m busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"6MB"* ]]
	run_cabin run --rm --memory lots busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"--memory: invalid size"* ]]
	assert_store_clean
}

@test "run --memory-swap: memory and swap together; -1 unlimited; twice the memory by default" {
	import_busybox
	[ -e /sys/fs/cgroup/memory/memory.memsw.limit_in_bytes ] || skip "no swap accounting here"
	run_cabin run --rm --memory 64m busybox cat "$(cgfile memory memory.memsw.limit_in_bytes)"
	[ "$output" -eq $((128 << 20)) ]
	run_cabin run --rm --memory 64m --memory-swap 96m busybox cat "$(cgfile memory memory.memsw.limit_in_bytes)"
	[ "$output" -eq $((96 << 20)) ]
	run_cabin run --rm --memory 64m --memory-swap -1 busybox cat "$(cgfile memory memory.memsw.limit_in_bytes)"
	[ "$output" -gt $((1 << 40)) ]
	run_cabin run --rm --memory 64m --memory-swap 32m busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"at least --memory"* ]]
	run_cabin run --rm --memory-swap 64m busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"needs --memory"* ]]
	assert_store_clean
}

@test "run --pids-limit: forks beyond the limit fail" {
	import_busybox
	run_cabin run --rm --pids-limit 8 busybox sh -c \
		'cat /sys/fs/cgroup/pids/pids.max; for i in $(seq 20); do sleep 5 & done 2>/dev/null; echo started; jobs | wc -l'
	[ "${lines[0]}" = 8 ]
	[[ $output == *"can't fork"* || ${lines[-1]} -lt 20 ]]
	run_cabin run --rm --pids-limit -1 busybox cat /sys/fs/cgroup/pids/pids.max
	[ "$output" = max ]
	run_cabin run --rm --pids-limit ten busybox true
	[ "$status" -eq 125 ]
	assert_store_clean
}

@test "run --cpus 0.5: a quota of half the period, and a busy loop is throttled" {
	import_busybox
	run_cabin run --rm --cpus 0.5 busybox sh -c \
		'cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us;
		 (while :; do :; done) & p=$!; i=0
		 while [ $(awk "/nr_throttled/ {print \$2}" /sys/fs/cgroup/cpu/cpu.stat) -eq 0 ] && [ $i -lt 400 ]; do
		   sleep 0.05; i=$((i+1)); done
		 kill $p; awk "/nr_throttled/ {print \$2}" /sys/fs/cgroup/cpu/cpu.stat'
	[ "${lines[0]}" = 50000 ]
	[ "${lines[1]}" = 100000 ]
	[ "${lines[2]}" -gt 0 ]
	n=$(nproc)
	run_cabin run --rm --cpus $((n + 1)) busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"--cpus"*"0.01 to $n.00"* ]]
	run_cabin run --rm --cpus 0.0000000001 busybox true
	[ "$status" -eq 125 ]
	assert_store_clean
}

@test "run --cpu-shares and --cpuset-cpus" {
	import_busybox
	run_cabin run --rm --cpu-shares 512 --cpuset-cpus 0 busybox sh -c \
		'cat /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/cpuset/cpuset.cpus'
	[ "${lines[0]}" = 512 ]
	[ "${lines[1]}" = 0 ]
	run_cabin run --rm --cpuset-cpus 0-99 busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"only 0-"* ]]
	run_cabin run --rm --cpuset-cpus 1-0 busybox true
	[ "$status" -eq 125 ]
	assert_store_clean
}

@test "run --ulimit: soft and hard limits; bad names and values are refused" {
	import_busybox
	run_cabin run --rm --ulimit nofile=128:256 --ulimit core=0 busybox sh -c 'ulimit -n; ulimit -Hn; ulimit -c'
	[ "$output" = "$(printf '128\n256\n0')" ]
	[ "$(cabin run --rm --ulimit nproc=100 busybox sh -c 'ulimit -u')" = 100 ]
	run_cabin run --rm --ulimit nofiles=1 busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"not a resource"* ]]
	run_cabin run --rm --ulimit nofile=200:100 busybox true
	[ "$status" -eq 125 ]
	[[ $output == *"soft limit is above"* ]]
	assert_store_clean
}

@test "run: /dev/shm is 64m, --shm-size changes it" {
	import_busybox
	run_cabin run --rm busybox sh -c "df -k /dev/shm | awk 'NR==2 {print \$2}'"
	[ "$output" -eq 65536 ]
	run_cabin run --rm --shm-size 8m busybox sh -c "df -k /dev/shm | awk 'NR==2 {print \$2}'"
	[ "$output" -eq 8192 ]
	run_cabin run --rm --shm-size 0 busybox true
	[ "$status" -eq 125 ]
	assert_store_clean
}
