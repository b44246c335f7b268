/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/features.h"

#include <ctype.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/capability.h>
#include <sys/prctl.h>

#include "config.h"

static json_t *capabilities(void)
{
    json_t *a = json_array();
    for (int c = 0; c < 64 && prctl(PR_CAPBSET_READ, c, 0, 0, 0) >= 0; c++) {
        char *n = cap_to_name(c);
        if (n == NULL)
            break;
        for (char *p = n; *p; p++)
            *p = (char) toupper((unsigned char) *p);
        json_array_append_new(a, json_string(n));
        cap_free(n);
    }
    return a;
}

json_t *features_json(void)
{
    json_t *mount_options = json_pack(
        "[s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,s,"
        "s,s,s,s,s,s,s,s,s]",
        "async", "atime", "bind", "defaults", "dev", "diratime", "dirsync", "exec", "lazytime",
        "loud", "mand", "noatime", "nodev", "nodiratime", "noexec", "nolazytime", "nomand",
        "norelatime", "nostrictatime", "nosuid", "nosymfollow", "private", "rbind", "rdev",
        "rdiratime", "relatime", "remount", "rexec", "rnoatime", "rnodev", "rnodiratime",
        "rnoexec", "rnosuid", "rnosymfollow", "ro", "rprivate", "rrelatime", "rro", "rrw",
        "rshared", "rslave", "rstrictatime", "rsuid", "rsymfollow", "runbindable", "rw",
        "shared", "silent", "slave", "strictatime", "suid", "symfollow", "sync", "unbindable");
    json_t *lin = json_pack(
        "{s:[s,s,s,s,s,s,s,s], s:o, s:{s:b, s:b, s:b, s:b, s:b}, s:{s:b}, s:{s:b}, s:{s:b}, "
        "s:{s:b}, s:{s:{s:b}}}",
        "namespaces", "cgroup", "ipc", "mount", "network", "pid", "time", "user", "uts",
        "capabilities", capabilities(), "cgroup", "v1", 1, "v2", 1, "systemd", 0, "systemdUser", 0,
        "rdma", 1, "seccomp", "enabled", 1, "apparmor", "enabled", 1, "selinux", "enabled", 1,
        "intelRdt", "enabled", 0, "mountExtensions", "idmap", "enabled", 0);
    json_object_set_new(json_object_get(lin, "seccomp"), "actions",
                        json_pack("[s,s,s,s,s,s,s,s,s]", "SCMP_ACT_ALLOW", "SCMP_ACT_ERRNO",
                                  "SCMP_ACT_KILL", "SCMP_ACT_KILL_PROCESS", "SCMP_ACT_KILL_THREAD",
                                  "SCMP_ACT_LOG", "SCMP_ACT_NOTIFY", "SCMP_ACT_TRACE",
                                  "SCMP_ACT_TRAP"));
    json_object_set_new(json_object_get(lin, "seccomp"), "operators",
                        json_pack("[s,s,s,s,s,s,s]", "SCMP_CMP_EQ", "SCMP_CMP_GE", "SCMP_CMP_GT",
                                  "SCMP_CMP_LE", "SCMP_CMP_LT", "SCMP_CMP_MASKED_EQ",
                                  "SCMP_CMP_NE"));
    json_t *flags = json_pack("[s,s,s]", "SECCOMP_FILTER_FLAG_LOG",
                              "SECCOMP_FILTER_FLAG_SPEC_ALLOW",
                              "SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV");
    json_object_set(json_object_get(lin, "seccomp"), "knownFlags", flags);
    json_object_set_new(json_object_get(lin, "seccomp"), "supportedFlags", flags);
    return json_pack("{s:s, s:s, s:[s,s,s,s,s,s], s:o, s:o, s:{s:s, s:s}}", "ociVersionMin",
                     "1.0.0", "ociVersionMax", CABIN_OCI_VERSION, "hooks", "prestart",
                     "createRuntime", "createContainer", "startContainer", "poststart", "poststop",
                     "mountOptions", mount_options,
                     "linux", lin, "annotations", "org.cabin.version", CABIN_VERSION,
                     "org.cabin.commit", CABIN_COMMIT);
}

void features_libseccomp_version(char *buf, size_t len)
{
    const struct scmp_version *v = seccomp_version();
    snprintf(buf, len, "%u.%u.%u", v->major, v->minor, v->micro);
}
