/* SPDX-License-Identifier: Apache-2.0 */
/* Progress lines of pull and push, and the registry flags they share. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli/cabin/commands.h"

void cabin_registry_opts(const struct cabin_registry_flags *f, struct registry_opts *ret)
{
    memset(ret, 0, sizeof(*ret));
    ret->tls_verify = f->tls_verify == 1   ? REGISTRY_TLS_VERIFY
                      : f->tls_verify == 0 ? REGISTRY_TLS_NO_VERIFY
                                           : REGISTRY_TLS_DEFAULT;
    ret->authfile = f->authfile;
    ret->creds = f->creds;
    ret->cert_dir = f->cert_dir;
}

struct line_state {
    char *status;
    uint64_t last_done;
    double last_t, rate; /* bytes a second, smoothed */
};

struct cabin_progress {
    FILE *out;
    bool tty;
    size_t drawn; /* lines on screen to go back over */
    struct line_state *lines;
    size_t n;
};

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

struct cabin_progress *cabin_progress_new(FILE *out)
{
    struct cabin_progress *p = calloc(1, sizeof(*p));
    if (p == NULL)
        return NULL;
    p->out = out;
    p->tty = isatty(fileno(out)) && getenv("TERM") && strcmp(getenv("TERM"), "dumb") != 0;
    return p;
}

void cabin_progress_free(struct cabin_progress *p)
{
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->n; i++)
        free(p->lines[i].status);
    free(p->lines);
    free(p);
}

static bool grow(struct cabin_progress *p, size_t n)
{
    if (n <= p->n)
        return true;
    struct line_state *v = realloc(p->lines, n * sizeof(*v));
    if (v == NULL)
        return false;
    memset(v + p->n, 0, (n - p->n) * sizeof(*v));
    p->lines = v;
    p->n = n;
    return true;
}

static void update_rate(struct line_state *s, const struct cabin_progress_line *l, double t)
{
    if (s->last_t == 0 || l->done < s->last_done) {
        s->last_t = t;
        s->last_done = l->done;
        return;
    }
    double dt = t - s->last_t;
    if (dt < 0.2)
        return;
    double r = (double) (l->done - s->last_done) / dt;
    s->rate = s->rate == 0 ? r : 0.6 * s->rate + 0.4 * r;
    s->last_t = t;
    s->last_done = l->done;
}

static void draw_line(struct cabin_progress *p, const struct cabin_progress_line *l,
                      const struct line_state *s)
{
    fprintf(p->out, "\033[2K%s: %-12s", l->id, l->status);
    if (l->moving) {
        char done[32], total[32], rate[32];
        cabin_human_size(l->done, done, sizeof(done));
        cabin_human_size(l->total, total, sizeof(total));
        cabin_human_size((uint64_t) s->rate, rate, sizeof(rate));
        fprintf(p->out, " %9s/%-9s", done, total);
        if (s->rate > 0)
            fprintf(p->out, " %s/s", rate);
    }
    fputc('\n', p->out);
}

void cabin_progress_show(struct cabin_progress *p, const struct cabin_progress_line *lines,
                         size_t n, bool final)
{
    if (p == NULL || !grow(p, n))
        return;
    double t = now_s();
    if (p->tty && p->drawn)
        fprintf(p->out, "\033[%zuA", p->drawn);
    for (size_t i = 0; i < n; i++) {
        struct line_state *s = &p->lines[i];
        update_rate(s, &lines[i], t);
        bool changed = s->status == NULL || strcmp(s->status, lines[i].status) != 0;
        if (changed) {
            free(s->status);
            s->status = strdup(lines[i].status);
        }
        if (p->tty)
            draw_line(p, &lines[i], s);
        else if (changed)
            fprintf(p->out, "%s: %s\n", lines[i].id, lines[i].status);
    }
    p->drawn = p->tty ? n : 0;
    if (final)
        p->drawn = 0;
    fflush(p->out);
}
