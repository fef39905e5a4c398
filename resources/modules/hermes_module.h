/* hermes_module.h: write a Hermes Console process module in C, in this one header (C99 and POSIX).
 *
 *   #include "hermes_module.h"
 *
 *   static double *x;
 *   static int init(hermes_module *m) {
 *       x = hermes_output(m, "position.x");
 *       return x ? 0 : hermes_fail(m, "no output named position.x");
 *   }
 *   static int step(hermes_module *m, const hermes_time *t) { *x += 1.0 * t->dt; (void)m; return 0; }
 *
 *   int main(void) {
 *       static const hermes_signal signals[] = { { .name = "position.x", .unit = "m" } };
 *       hermes_module_def def = { .signals = signals, .signal_count = 1, .init = init, .step = step };
 *       return hermes_run(&def);
 *   }
 *
 * Build: cc -O2 -I resources/modules -o vehicle vehicle.c
 *
 * The engine starts the program (`type: process`, `executable:`) and steps it through the binary
 * protocol of docs/modules.md over standard input and output; hermes_run() speaks it. Inputs are the
 * module's writable signals, outputs the others: hermes_input() and hermes_output() return pointers
 * that stay valid for the whole run. printf() goes to standard error, which the engine shows and
 * quotes when the module fails. A hook returns 0, or nonzero to report a failure (the run pauses; say
 * why with hermes_fail()). The program exits when the engine says TERM or its standard input ends.
 */
#ifndef HERMES_MODULE_H
#define HERMES_MODULE_H

/* F_DUPFD_CLOEXEC is POSIX.1-2008; a strict -std=c99 hides it unless asked (include this header first). */
#if !defined(_POSIX_C_SOURCE) && !defined(_GNU_SOURCE) && !defined(_DEFAULT_SOURCE)
#define _POSIX_C_SOURCE 200809L
#endif

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#if defined(__GNUC__) || defined(__clang__)
#define HERMES_API static __attribute__((unused))
#else
#define HERMES_API static
#endif

#define HERMES_PROTOCOL 1

/* A signal the module declares; fields left 0 or NULL take the YAML's value or the default. */
typedef struct {
    const char *name;        /* local name, dots allowed: "position.x" */
    const char *unit;
    const char *description;
    const char *type;        /* "f64" (default), "f32", "i64", "i32", "bool": every value travels as a double */
    int writable;            /* 1: an input that clients and wires write */
    int unpublished;         /* 1: hidden from clients */
    int has_initial;         /* 1: `initial` is set */
    double initial;
} hermes_signal;

typedef struct {
    uint64_t frame;   /* frame being computed */
    int64_t time_ns;  /* simulation time at the start of this step, integer nanoseconds */
    double time;      /* the same in seconds */
    double dt;        /* this module's step, seconds */
} hermes_time;

typedef struct hermes_module hermes_module;

typedef struct {
    const hermes_signal *signals;  /* optional: the YAML may list the signals instead */
    int signal_count;
    int (*init)(hermes_module *m);                         /* once, before stage: look up signals */
    int (*stage)(hermes_module *m);                        /* before the first frame */
    int (*step)(hermes_module *m, const hermes_time *t);   /* required */
    int (*reset)(hermes_module *m);                        /* NULL: stage is called */
    void (*terminate)(hermes_module *m);                   /* once, at the end */
    void *user;                                            /* for the hooks: hermes_user(m) */
} hermes_module_def;

struct hermes_module {
    const hermes_module_def *def;
    int fd_in, fd_out;
    uint32_t n_in, n_out;
    double *in, *out;
    double *initial_out;   /* outputs go back to these before stage and reset, as the engine's slots do */
    char **names;          /* n_in input names, then n_out output names */
    char *name_store;
    unsigned char *buf;    /* bytes received, not yet consumed */
    size_t buf_len, buf_cap;
    unsigned char *reply;  /* DONE message: header and outputs */
    int initialized, terminated;
    double spin_us;        /* spin at most this long for the next request before blocking (HERMES_SPIN_US) */
    /* Adaptive waiting (docs/architecture.md, "Waiting"): spin only while requests come within the budget and a core is free. */
    int wait_policy;       /* 0 adaptive, 1 always spin, 2 never spin (HERMES_WAIT) */
    int spinning, misses, probe_every, until_probe;
    int load_fd, load_busy;
    long cores;
    double load_at;
    char message[1024];
};

/* ---- what the engine tells every module (also in the environment) ---- */

HERMES_API const char *hermes_module_name(void) { const char *v = getenv("HERMES_MODULE_NAME"); return v ? v : ""; }
HERMES_API const char *hermes_config_path(void) { const char *v = getenv("HERMES_CONFIG_PATH"); return v ? v : ""; }
HERMES_API const char *hermes_module_config(void) { const char *v = getenv("HERMES_MODULE_CONFIG"); return v ? v : ""; }
HERMES_API const char *hermes_options_json(void) { const char *v = getenv("HERMES_OPTIONS"); return v ? v : "{}"; }
HERMES_API double hermes_rate_hz(void) { const char *v = getenv("HERMES_RATE_HZ"); return v ? atof(v) : 0.0; }
HERMES_API void *hermes_user(hermes_module *m) { return m->def->user; }

/* Pointer to an output's value (write it in stage and step), or NULL when the module has no such output. */
HERMES_API double *hermes_output(hermes_module *m, const char *name) {
    for (uint32_t i = 0; i < m->n_out; i++) if (strcmp(m->names[m->n_in + i], name) == 0) return &m->out[i];
    return NULL;
}

/* Pointer to an input's value (updated before every stage, step and reset), or NULL. */
HERMES_API const double *hermes_input(hermes_module *m, const char *name) {
    for (uint32_t i = 0; i < m->n_in; i++) if (strcmp(m->names[i], name) == 0) return &m->in[i];
    return NULL;
}

/* Says why a hook fails; returns -1, so that a hook can `return hermes_fail(m, "...", ...)`. */
HERMES_API int hermes_fail(hermes_module *m, const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(m->message, sizeof m->message, format, args);
    va_end(args);
    return -1;
}

/* ---- the protocol (little-endian on the wire, whatever the machine) ---- */

#define HERMES_TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define HERMES_HELO HERMES_TAG('H', 'E', 'L', 'O')
#define HERMES_INIT HERMES_TAG('I', 'N', 'I', 'T')
#define HERMES_STAG HERMES_TAG('S', 'T', 'A', 'G')
#define HERMES_STEP HERMES_TAG('S', 'T', 'E', 'P')
#define HERMES_RSET HERMES_TAG('R', 'S', 'E', 'T')
#define HERMES_TERM HERMES_TAG('T', 'E', 'R', 'M')
#define HERMES_DONE HERMES_TAG('D', 'O', 'N', 'E')
#define HERMES_FAIL HERMES_TAG('F', 'A', 'I', 'L')

static uint32_t hermes__u32(const unsigned char *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static uint64_t hermes__u64(const unsigned char *p) { return (uint64_t)hermes__u32(p) | (uint64_t)hermes__u32(p + 4) << 32; }
static double hermes__f64(const unsigned char *p) { uint64_t u = hermes__u64(p); double d; memcpy(&d, &u, 8); return d; }
static void hermes__put_u32(unsigned char *p, uint32_t v) { p[0] = v & 255; p[1] = v >> 8 & 255; p[2] = v >> 16 & 255; p[3] = v >> 24 & 255; }
static void hermes__put_f64(unsigned char *p, double d) { uint64_t u; memcpy(&u, &d, 8); hermes__put_u32(p, (uint32_t)u); hermes__put_u32(p + 4, (uint32_t)(u >> 32)); }

static void hermes__die(const char *what) {
    fprintf(stderr, "hermes_module: %s\n", what);
    exit(2);
}

static void *hermes__alloc(size_t n) {
    void *p = calloc(1, n ? n : 1);
    if (!p) hermes__die("out of memory");
    return p;
}

static int hermes__write(hermes_module *m, const unsigned char *data, size_t n) {
    while (n > 0) {
        ssize_t w = write(m->fd_out, data, n);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return -1;
        data += w;
        n -= (size_t)w;
    }
    return 0;
}

static int hermes__send(hermes_module *m, uint32_t tag, const void *payload, uint32_t length) {
    unsigned char header[8];
    hermes__put_u32(header, tag);
    hermes__put_u32(header + 4, length);
    if (hermes__write(m, header, 8) != 0) return -1;
    return length ? hermes__write(m, (const unsigned char *)payload, length) : 0;
}

static double hermes__now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

/* More runnable threads than cores right now (the fourth field of /proc/loadavg, read every 20 ms at most). */
static int hermes__busy(hermes_module *m, double now) {
    if (m->load_fd < 0) return 0;
    if (now - m->load_at < 20000) return m->load_busy;
    m->load_at = now;
    char text[128];
    ssize_t got = pread(m->load_fd, text, sizeof text - 1, 0);
    m->load_busy = 0;
    if (got <= 0) return 0;
    text[got] = 0;
    const char *field = text;
    for (int i = 0; i < 3 && field; i++) {
        field = strchr(field, ' ');
        if (field) field++;
    }
    if (field) m->load_busy = atol(field) > m->cores;
    return m->load_busy;
}

/* A spin that ran out (a slow engine) or was preempted (no free core): spinning stops, with probes now and then. */
static void hermes__give_up(hermes_module *m, int preempted) {
    if (m->spinning) {
        if (!preempted && ++m->misses < 3) return;
        m->spinning = 0;
        m->probe_every = 64;
    } else if (m->probe_every < 4096) {
        m->probe_every *= 2;
    }
    m->misses = 0;
    m->until_probe = m->probe_every;
}

/* Spinning on the pipe for the next request saves the engine a wake-up per step, while it pays. */
static ssize_t hermes__read(hermes_module *m, unsigned char *into, size_t n) {
    int spin = -1; /* undecided until the first EAGAIN */
    double until = 0, last = 0;
    for (;;) {
        ssize_t r = read(m->fd_in, into, n);
        if (r >= 0) {
            if (spin == 1) {
                m->misses = 0;
                if (!m->spinning) { m->spinning = 1; m->probe_every = 64; }
            }
            return r;
        }
        if (errno == EINTR) continue;
        if (errno != EAGAIN && errno != EWOULDBLOCK) return -1;
        double now = hermes__now_us();
        if (spin < 0) {
            spin = m->spin_us > 0 && m->wait_policy != 2;
            if (spin && m->wait_policy == 0) {
                if (!m->spinning && --m->until_probe > 0) spin = 0;
                else if (hermes__busy(m, now)) { hermes__give_up(m, 1); spin = 0; }
            }
            until = now + m->spin_us;
            last = now;
        }
        if (spin == 1) {
            if (m->wait_policy == 0 && now - last > 50) { hermes__give_up(m, 1); spin = 0; }
            else if (now >= until) { if (m->wait_policy == 0) hermes__give_up(m, 0); spin = 0; }
            else { last = now; continue; }
        }
        struct pollfd p = { m->fd_in, POLLIN, 0 };
        poll(&p, 1, -1);
    }
}

/* The next message: 1 with *tag, *payload and *length set (valid until the next call), 0 at end of input. */
static int hermes__receive(hermes_module *m, uint32_t *tag, unsigned char **payload, uint32_t *length, size_t *consumed) {
    if (*consumed > 0) {
        memmove(m->buf, m->buf + *consumed, m->buf_len - *consumed);
        m->buf_len -= *consumed;
        *consumed = 0;
    }
    for (;;) {
        if (m->buf_len >= 8) {
            uint32_t len = hermes__u32(m->buf + 4);
            if (m->buf_len >= 8 + (size_t)len) {
                *tag = hermes__u32(m->buf);
                *payload = m->buf + 8;
                *length = len;
                *consumed = 8 + (size_t)len;
                return 1;
            }
            if (8 + (size_t)len > m->buf_cap) {
                m->buf_cap = 8 + (size_t)len;
                m->buf = (unsigned char *)realloc(m->buf, m->buf_cap);
                if (!m->buf) hermes__die("out of memory");
            }
        }
        if (m->buf_len == m->buf_cap) {
            m->buf_cap *= 2;
            m->buf = (unsigned char *)realloc(m->buf, m->buf_cap);
            if (!m->buf) hermes__die("out of memory");
        }
        ssize_t r = hermes__read(m, m->buf + m->buf_len, m->buf_cap - m->buf_len);
        if (r <= 0) return 0;
        m->buf_len += (size_t)r;
    }
}

/* JSON text, appended to a growing string. */
typedef struct { char *s; size_t len, cap; } hermes__str;

static void hermes__add(hermes__str *b, const char *text, size_t n) {
    if (b->len + n + 1 > b->cap) {
        while (b->len + n + 1 > b->cap) b->cap = b->cap ? 2 * b->cap : 256;
        b->s = (char *)realloc(b->s, b->cap);
        if (!b->s) hermes__die("out of memory");
    }
    memcpy(b->s + b->len, text, n);
    b->len += n;
    b->s[b->len] = 0;
}

static void hermes__add_text(hermes__str *b, const char *text) { hermes__add(b, text, strlen(text)); }

static void hermes__add_json_string(hermes__str *b, const char *text) {
    hermes__add(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        char esc[8];
        if (*p == '"' || *p == '\\') { esc[0] = '\\'; esc[1] = (char)*p; hermes__add(b, esc, 2); }
        else if (*p < 0x20) { snprintf(esc, sizeof esc, "\\u%04x", *p); hermes__add_text(b, esc); }
        else hermes__add(b, (const char *)p, 1);
    }
    hermes__add(b, "\"", 1);
}

static int hermes__hello(hermes_module *m) {
    hermes__str b = { 0 };
    char number[64];
    snprintf(number, sizeof number, "{\"protocol\":%d,\"signals\":[", HERMES_PROTOCOL);
    hermes__add_text(&b, number);
    for (int i = 0; i < m->def->signal_count; i++) {
        const hermes_signal *s = &m->def->signals[i];
        hermes__add_text(&b, i ? ",{\"name\":" : "{\"name\":");
        hermes__add_json_string(&b, s->name ? s->name : "");
        if (s->unit) { hermes__add_text(&b, ",\"unit\":"); hermes__add_json_string(&b, s->unit); }
        if (s->description) { hermes__add_text(&b, ",\"description\":"); hermes__add_json_string(&b, s->description); }
        if (s->type) { hermes__add_text(&b, ",\"type\":"); hermes__add_json_string(&b, s->type); }
        if (s->writable) hermes__add_text(&b, ",\"writable\":true");
        if (s->unpublished) hermes__add_text(&b, ",\"published\":false");
        if (s->has_initial) { snprintf(number, sizeof number, ",\"initial\":%.17g", s->initial); hermes__add_text(&b, number); }
        hermes__add_text(&b, "}");
    }
    hermes__add_text(&b, "]}");
    int rc = hermes__send(m, HERMES_HELO, b.s, (uint32_t)b.len);
    free(b.s);
    return rc;
}

static int hermes__init(hermes_module *m, const unsigned char *p, uint32_t length) {
    if (length < 8) hermes__die("protocol error: short INIT");
    m->n_in = hermes__u32(p);
    m->n_out = hermes__u32(p + 4);
    uint32_t count = m->n_in + m->n_out;
    if ((size_t)length < 8 + 8 * (size_t)count) hermes__die("protocol error: short INIT");
    m->in = (double *)hermes__alloc(sizeof(double) * m->n_in);
    m->out = (double *)hermes__alloc(sizeof(double) * m->n_out);
    m->initial_out = (double *)hermes__alloc(sizeof(double) * m->n_out);
    for (uint32_t i = 0; i < count; i++) {
        double v = hermes__f64(p + 8 + 8 * (size_t)i);
        if (i < m->n_in) m->in[i] = v; else m->out[i - m->n_in] = m->initial_out[i - m->n_in] = v;
    }
    size_t names_at = 8 + 8 * (size_t)count;
    m->name_store = (char *)hermes__alloc(length - names_at + 1);
    memcpy(m->name_store, p + names_at, length - names_at);
    m->names = (char **)hermes__alloc(sizeof(char *) * (count ? count : 1));
    char *s = m->name_store, *end = m->name_store + (length - names_at);
    for (uint32_t i = 0; i < count; i++) {
        if (s >= end) hermes__die("protocol error: INIT has too few names");
        m->names[i] = s;
        s += strlen(s) + 1;
    }
    m->reply = (unsigned char *)hermes__alloc(8 + 8 * (size_t)m->n_out);
    hermes__put_u32(m->reply, HERMES_DONE);
    hermes__put_u32(m->reply + 4, 8 * m->n_out);
    return 0;
}

static void hermes__set_inputs(hermes_module *m, const unsigned char *p, uint32_t length) {
    if ((size_t)length < 8 * (size_t)m->n_in) hermes__die("protocol error: message shorter than its inputs");
    for (uint32_t i = 0; i < m->n_in; i++) m->in[i] = hermes__f64(p + 8 * (size_t)i);
}

/* DONE with the outputs, or FAIL with the hook's message. */
static int hermes__answer(hermes_module *m, int rc, const char *hook, int with_outputs) {
    if (rc != 0) {
        if (!m->message[0]) snprintf(m->message, sizeof m->message, "%s returned %d", hook, rc);
        int sent = hermes__send(m, HERMES_FAIL, m->message, (uint32_t)strlen(m->message));
        m->message[0] = 0;
        return sent;
    }
    if (!with_outputs) return hermes__send(m, HERMES_DONE, NULL, 0);
    for (uint32_t i = 0; i < m->n_out; i++) hermes__put_f64(m->reply + 8 + 8 * (size_t)i, m->out[i]);
    return hermes__write(m, m->reply, 8 + 8 * (size_t)m->n_out);
}

static void hermes__terminate(hermes_module *m) {
    if (m->initialized && !m->terminated && m->def->terminate) m->def->terminate(m);
    m->terminated = 1;
}

/* Takes over standard input and output for the protocol (print to stderr from then on); 0, or 1 when the
 * engine is already gone. Shared with hermes/module.h, the header for modules written for Hermes. */
static int hermes__take_over(hermes_module *m) {
    /* The engine manages the module's life: a Ctrl+C in the terminal is the engine's to handle. */
    signal(SIGINT, SIG_IGN);
#ifdef __linux__
    /* Also end if the engine dies while a hook is busy (end of input covers the rest), unless it already has. */
    const char *engine = getenv("HERMES_ENGINE_PID");
    if (engine) {
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != (pid_t)atol(engine)) return 1;
    }
#endif
    /* The protocol keeps private copies of stdin and stdout; printf() and friends go to stderr. */
    m->fd_in = fcntl(0, F_DUPFD_CLOEXEC, 3);
    m->fd_out = fcntl(1, F_DUPFD_CLOEXEC, 3);
    if (m->fd_in < 0 || m->fd_out < 0) hermes__die("cannot take over standard input and output");
    int devnull = open("/dev/null", O_RDONLY);
    if (devnull >= 0) { dup2(devnull, 0); close(devnull); }
    fflush(stdout);
    dup2(2, 1);
    setvbuf(stdout, NULL, _IOLBF, 0);
    const char *spin = getenv("HERMES_SPIN_US");
    m->spin_us = spin ? atof(spin) : 0;
    const char *policy = getenv("HERMES_WAIT");
    m->wait_policy = policy && !strcmp(policy, "spin") ? 1 : policy && !strcmp(policy, "block") ? 2 : 0;
    m->spinning = m->spin_us > 0 && m->wait_policy != 2;
    m->probe_every = 64;
    m->cores = sysconf(_SC_NPROCESSORS_ONLN);
    if (m->cores < 1) m->cores = 1;
    m->load_fd = open("/proc/loadavg", O_RDONLY | O_CLOEXEC);
    m->load_at = -1e18;
    if (m->spin_us > 0) fcntl(m->fd_in, F_SETFL, fcntl(m->fd_in, F_GETFL) | O_NONBLOCK);

    m->buf_cap = 4096;
    m->buf = (unsigned char *)hermes__alloc(m->buf_cap);
    return 0;
}

/* Speaks the protocol until the engine says TERM or goes away; returns the exit code for main(). */
HERMES_API int hermes_run(const hermes_module_def *def) {
    hermes_module module;
    hermes_module *m = &module;
    memset(m, 0, sizeof module);
    m->def = def;
    if (!def->step) hermes__die("a module needs a step hook");
    if (hermes__take_over(m) != 0) return 0;
    if (hermes__hello(m) != 0) return 1;

    hermes_time t;
    uint32_t tag, length;
    unsigned char *p;
    size_t consumed = 0;
    for (;;) {
        if (!hermes__receive(m, &tag, &p, &length, &consumed)) break;  /* the engine is gone */
        int sent;
        if (tag == HERMES_STEP) {
            if (length < 32) hermes__die("protocol error: short STEP");
            t.frame = hermes__u64(p);
            t.time_ns = (int64_t)hermes__u64(p + 8);
            t.time = hermes__f64(p + 16);
            t.dt = hermes__f64(p + 24);
            hermes__set_inputs(m, p + 32, length - 32);
            sent = hermes__answer(m, def->step(m, &t), "step", 1);
        } else if (tag == HERMES_STAG || tag == HERMES_RSET) {
            hermes__set_inputs(m, p, length);
            memcpy(m->out, m->initial_out, sizeof(double) * m->n_out);
            int (*hook)(hermes_module *) = tag == HERMES_RSET && def->reset ? def->reset : def->stage;
            sent = hermes__answer(m, hook ? hook(m) : 0, tag == HERMES_STAG ? "stage" : "reset", 1);
        } else if (tag == HERMES_INIT) {
            hermes__init(m, p, length);
            int rc = def->init ? def->init(m) : 0;
            m->initialized = rc == 0;
            sent = hermes__answer(m, rc, "init", 0);
        } else if (tag == HERMES_TERM) {
            break;
        } else {
            fprintf(stderr, "hermes_module: protocol error: unknown message tag 0x%08x\n", (unsigned)tag);
            return 2;
        }
        if (sent != 0) break;  /* the engine is gone */
    }
    hermes__terminate(m);
    return 0;
}

#endif /* HERMES_MODULE_H */
