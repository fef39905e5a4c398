/* A cart written against Hermes's C module API (hermes/module.h), which Hermes Console runs unchanged.
 *
 * Build: cc -O2 -I ../modules -o hermes_style_module hermes_style_module.c
 * Run with hermes_style_c.yaml. The cart registers its four signals; the YAML lists two of them again, to
 * give their units and the initial speed. Every step it moves position by speed x dt and reports the frame and time it was given.
 */
/* First, as with hermes_module.h: it asks for POSIX before any system header is read (matters with -std=c99). */
#include "hermes/module.h"

#include <stdio.h>

int main(int argc, char **argv) {
    hermes_context_t *ctx = hermes_module_init(argc > 1 ? argv[1] : NULL, argc > 2 ? argv[2] : NULL);
    if (!HERMES_VALID(ctx)) return 1;
    /* A module that registers signals registers all of them; the YAML may add units and initial values. */
    hermes_register_signal(ctx, "speed", HERMES_TYPE_F64, true);
    hermes_register_signal(ctx, "position", HERMES_TYPE_F64, false);
    hermes_register_signal(ctx, "frame_seen", HERMES_TYPE_F64, false);
    hermes_register_signal(ctx, "time_seen", HERMES_TYPE_F64, false);

    double position = 0.0;
    HERMES_MAIN_LOOP(ctx) {
        switch (hermes_get_command(ctx)) {
        case HERMES_CMD_STAGE:
            position = 0.0;
            hermes_set_signal(ctx, "position", position);
            hermes_ack(ctx);
            break;
        case HERMES_CMD_STEP:
            position += hermes_get_signal(ctx, "speed") * hermes_get_dt(ctx);
            hermes_set_signal(ctx, "position", position);
            hermes_set_signal(ctx, "frame_seen", (double)hermes_get_frame(ctx));
            hermes_set_signal(ctx, "time_seen", hermes_get_time(ctx));
            hermes_signal_done(ctx);
            break;
        case HERMES_CMD_RESET:
            hermes_ack(ctx);
            break;
        case HERMES_CMD_TERMINATE:
            printf("cart: terminated at frame %llu\n", (unsigned long long)hermes_get_frame(ctx));
            goto done;
        default:
            break;
        }
    }
done:
    hermes_module_destroy(ctx);
    return 0;
}
