/* SPDX-License-Identifier: Apache-2.0 */
#include "runtime/exe_guard.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/cleanup.h"

#ifndef MFD_EXEC
#define MFD_EXEC 0x0010U
#endif

#define SEALS (F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE)

extern char **environ;

int exe_guard_ensure_sealed(char **argv, struct error **err)
{
    cleanup_close int self = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
    if (self < 0)
        return error_errno(err, "opening /proc/self/exe");
    int seals = fcntl(self, F_GET_SEALS);
    if (seals >= 0 && (seals & SEALS) == SEALS)
        return 0;
    struct stat st;
    if (fstat(self, &st) < 0)
        return error_errno(err, "reading /proc/self/exe");
    /* MFD_EXEC where vm.memfd_noexec would otherwise forbid executing it. */
    cleanup_close int mfd =
        memfd_create("cabin-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING | MFD_EXEC);
    if (mfd < 0 && errno == EINVAL)
        mfd = memfd_create("cabin-runtime", MFD_CLOEXEC | MFD_ALLOW_SEALING);
    if (mfd < 0)
        return error_errno(err, "making a sealed copy of the runtime (memfd_create)");
    off_t off = 0;
    while (off < st.st_size) {
        ssize_t n = sendfile(mfd, self, &off, (size_t) (st.st_size - off));
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return error_errno(err, "copying the runtime into a sealed memfd");
    }
    if (fcntl(mfd, F_ADD_SEALS, SEALS) < 0)
        return error_errno(err, "sealing the runtime's copy");
    fexecve(mfd, argv, environ);
    return error_errno(err, "re-executing the runtime from its sealed copy");
}
