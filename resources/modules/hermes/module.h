/* hermes/module.h: Hermes's C module API (hermes_module_init, hermes_wait_command, ...) for Hermes Console.
 *
 * A C module written against Hermes's include/hermes/module.h builds against this header instead,
 * unchanged: `cc -O2 -I resources/modules -o plant plant.c` finds `#include "hermes/module.h"` or
 * `<hermes/module.h>` here. Hermes declares that API without implementing it; here it is implemented over
 * Hermes Console's process module protocol (docs/modules.md), on top of ../hermes_module.h, in this one
 * header (C99 and POSIX, no library). The commands arrive as protocol messages:
 *
 *   STAG -> HERMES_CMD_STAGE      answer with hermes_ack()
 *   STEP -> HERMES_CMD_STEP       answer with hermes_signal_done(); hermes_get_frame/time/dt tell the step
 *   RSET -> HERMES_CMD_RESET      answer with hermes_ack(); frame and time go back to 0
 *   TERM -> HERMES_CMD_TERMINATE  then hermes_wait_command() returns false
 *   end of input (the engine is gone): hermes_wait_command() returns false
 *
 * The engine never sends PAUSE or RESUME (a paused engine simply sends no step). A command left without
 * its answer is answered by the next hermes_wait_command(). Signals are named locally ("position.x"), as
 * Hermes's header says; the qualified name ("vehicle.position.x") works too. A module reaches its own
 * signals: the YAML's, plus those it registers with hermes_register_signal() before its first
 * hermes_wait_command() (they are declared to the engine, which merges them with the YAML's). Every
 * value is a double. printf() goes to standard error, which the engine shows in its log.
 *
 * hermes_module_init()'s arguments are not used: the engine passes the module's `config:` file as the
 * first argument (Hermes passes its shared memory name there), and the engine's pipes are the link.
 */
#ifndef HERMES_COMPAT_MODULE_H
#define HERMES_COMPAT_MODULE_H

#include "../hermes_module.h"

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    HERMES_CMD_NONE = 0,
    HERMES_CMD_STAGE = 1,
    HERMES_CMD_STEP = 2,
    HERMES_CMD_RESET = 3,
    HERMES_CMD_PAUSE = 4,
    HERMES_CMD_RESUME = 5,
    HERMES_CMD_TERMINATE = 6
} hermes_command_t;

typedef enum {
    HERMES_TYPE_F64 = 0,
    HERMES_TYPE_F32 = 1,
    HERMES_TYPE_I64 = 2,
    HERMES_TYPE_I32 = 3,
    HERMES_TYPE_BOOL = 4
} hermes_type_t;

typedef struct hermes_context hermes_context_t;

struct hermes_context {
    hermes_module m;          /* the protocol state of ../hermes_module.h */
    hermes_module_def def;    /* its signals: the registered ones, sent in the HELO */
    hermes_signal *registered;
    int registered_count, registered_cap;
    int started;              /* HELO sent and INIT answered */
    int ended;                /* TERM or end of input: nothing more comes */
    int pending;              /* a STAG, STEP or RSET waits for its answer */
    size_t consumed;          /* bytes of the last message, dropped before the next read */
    hermes_command_t command;
    hermes_time t;
    const char *module_name;
};

#define HERMES_VALID(ctx) ((ctx) != NULL)
#define HERMES_MAIN_LOOP(ctx) while (hermes_wait_command(ctx))

static const char *const hermes__type_names[] = { "f64", "f32", "i64", "i32", "bool" };

HERMES_API hermes_context_t *hermes_module_init(const char *shm_name, const char *config_path) {
    (void)shm_name;
    (void)config_path;
    const char *protocol = getenv("HERMES_PROTOCOL");
    if (!protocol || !*protocol) {
        fprintf(stderr, "hermes/module.h: this module runs under Hermes Console's engine, which starts it (HERMES_PROTOCOL is not set)\n");
        return NULL;
    }
    hermes_context_t *ctx = (hermes_context_t *)hermes__alloc(sizeof *ctx);
    if (hermes__take_over(&ctx->m) != 0) {  /* the engine is already gone */
        free(ctx->m.buf);
        free(ctx);
        return NULL;
    }
    ctx->module_name = hermes_module_name();
    double rate = hermes_rate_hz();
    ctx->t.dt = rate > 0 ? 1.0 / rate : 0.0;
    return ctx;
}

HERMES_API bool hermes_register_signal(hermes_context_t *ctx, const char *name, hermes_type_t type, bool writable) {
    if (!ctx || ctx->started || !name || !*name || (int)type < 0 || (int)type > 4) return false;
    for (int i = 0; i < ctx->registered_count; i++) if (strcmp(ctx->registered[i].name, name) == 0) return false;
    if (ctx->registered_count == ctx->registered_cap) {
        ctx->registered_cap = ctx->registered_cap ? 2 * ctx->registered_cap : 8;
        ctx->registered = (hermes_signal *)realloc(ctx->registered, sizeof(hermes_signal) * (size_t)ctx->registered_cap);
        if (!ctx->registered) hermes__die("out of memory");
    }
    hermes_signal *s = &ctx->registered[ctx->registered_count++];
    memset(s, 0, sizeof *s);
    char *copy = (char *)hermes__alloc(strlen(name) + 1);
    strcpy(copy, name);
    s->name = copy;
    s->type = hermes__type_names[type];
    s->writable = writable ? 1 : 0;
    return true;
}

/* HELO with the registered signals, then INIT answered: the module's signals are known from here on. */
static int hermes__start(hermes_context_t *ctx) {
    hermes_module *m = &ctx->m;
    ctx->def.signals = ctx->registered;
    ctx->def.signal_count = ctx->registered_count;
    m->def = &ctx->def;
    ctx->started = 1;
    uint32_t tag, length;
    unsigned char *p;
    if (hermes__hello(m) != 0 || !hermes__receive(m, &tag, &p, &length, &ctx->consumed)) return -1;
    if (tag != HERMES_INIT) hermes__die("protocol error: INIT expected first");
    hermes__init(m, p, length);
    m->initialized = 1;
    return hermes__answer(m, 0, "init", 0);
}

/* Answers the command that waits: DONE with the outputs. */
static void hermes__complete(hermes_context_t *ctx) {
    if (!ctx || !ctx->pending) return;
    ctx->pending = 0;
    if (hermes__answer(&ctx->m, 0, "", 1) != 0) ctx->ended = 1;
}

HERMES_API bool hermes_wait_command(hermes_context_t *ctx) {
    if (!ctx || ctx->ended) return false;
    if (!ctx->started && hermes__start(ctx) != 0) {
        ctx->ended = 1;
        return false;
    }
    hermes__complete(ctx);
    hermes_module *m = &ctx->m;
    uint32_t tag, length;
    unsigned char *p;
    if (ctx->ended || !hermes__receive(m, &tag, &p, &length, &ctx->consumed)) {
        ctx->ended = 1;
        ctx->command = HERMES_CMD_NONE;
        return false;
    }
    if (tag == HERMES_STEP) {
        if (length < 32) hermes__die("protocol error: short STEP");
        ctx->t.frame = hermes__u64(p);
        ctx->t.time_ns = (int64_t)hermes__u64(p + 8);
        ctx->t.time = hermes__f64(p + 16);
        ctx->t.dt = hermes__f64(p + 24);
        hermes__set_inputs(m, p + 32, length - 32);
        ctx->command = HERMES_CMD_STEP;
        ctx->pending = 1;
    } else if (tag == HERMES_STAG || tag == HERMES_RSET) {
        /* Unlike hermes_run(), outputs keep their values: a Hermes module owns them across a reset. */
        hermes__set_inputs(m, p, length);
        if (tag == HERMES_RSET) {
            ctx->t.frame = 0;
            ctx->t.time_ns = 0;
            ctx->t.time = 0.0;
        }
        ctx->command = tag == HERMES_STAG ? HERMES_CMD_STAGE : HERMES_CMD_RESET;
        ctx->pending = 1;
    } else if (tag == HERMES_TERM) {
        ctx->command = HERMES_CMD_TERMINATE;
        ctx->ended = 1;
    } else {
        fprintf(stderr, "hermes/module.h: protocol error: unknown message tag 0x%08x\n", (unsigned)tag);
        exit(2);
    }
    return true;
}

HERMES_API hermes_command_t hermes_get_command(hermes_context_t *ctx) { return ctx ? ctx->command : HERMES_CMD_NONE; }
HERMES_API void hermes_ack(hermes_context_t *ctx) { hermes__complete(ctx); }
HERMES_API void hermes_signal_done(hermes_context_t *ctx) { hermes__complete(ctx); }

HERMES_API uint64_t hermes_get_frame(hermes_context_t *ctx) { return ctx ? ctx->t.frame : 0; }
HERMES_API double hermes_get_time(hermes_context_t *ctx) { return ctx ? ctx->t.time : 0.0; }
HERMES_API double hermes_get_dt(hermes_context_t *ctx) { return ctx ? ctx->t.dt : 0.0; }

/* The value's slot by local or qualified name, or NULL. */
static double *hermes__slot(hermes_context_t *ctx, const char *name) {
    if (!ctx || !ctx->started || !name) return NULL;
    size_t own = strlen(ctx->module_name);
    if (own && strncmp(name, ctx->module_name, own) == 0 && name[own] == '.') name += own + 1;
    hermes_module *m = &ctx->m;
    for (uint32_t i = 0; i < m->n_in + m->n_out; i++) {
        if (strcmp(m->names[i], name) == 0) return i < m->n_in ? &m->in[i] : &m->out[i - m->n_in];
    }
    return NULL;
}

HERMES_API double hermes_get_signal(hermes_context_t *ctx, const char *name) {
    double *slot = hermes__slot(ctx, name);
    return slot ? *slot : NAN;
}

/* A writable signal (an input) holds the module's value until the engine sends its own with the next command. */
HERMES_API bool hermes_set_signal(hermes_context_t *ctx, const char *name, double value) {
    double *slot = hermes__slot(ctx, name);
    if (!slot) return false;
    *slot = value;
    return true;
}

HERMES_API void hermes_module_destroy(hermes_context_t *ctx) {
    if (!ctx) return;
    hermes__complete(ctx);
    hermes_module *m = &ctx->m;
    for (int i = 0; i < ctx->registered_count; i++) free((void *)ctx->registered[i].name);
    free(ctx->registered);
    free(m->in);
    free(m->out);
    free(m->initial_out);
    free(m->names);
    free(m->name_store);
    free(m->reply);
    free(m->buf);
    close(m->fd_in);
    close(m->fd_out);
    free(ctx);
}

#ifdef __cplusplus
}
#endif

#endif /* HERMES_COMPAT_MODULE_H */
