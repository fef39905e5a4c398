/* Seed 000's mock vehicle as a C process module: constant velocity (1.0, 0.5) m/s, position integrated with dt.
 *
 * Loading c_vehicle.yaml builds it (its build: key); by hand, from this folder: cc -O2 -Wall -I ../modules -o vehicle vehicle.c
 */
#include "hermes_module.h"

static double *x, *y, *vx, *vy;

static int init(hermes_module *m) {
    x = hermes_output(m, "position.x");
    y = hermes_output(m, "position.y");
    vx = hermes_output(m, "velocity.x");
    vy = hermes_output(m, "velocity.y");
    if (!x || !y || !vx || !vy) return hermes_fail(m, "expected outputs position.x/y and velocity.x/y");
    return 0;
}

static int stage(hermes_module *m) {
    (void)m;
    *x = 0.0;
    *y = 0.0;
    *vx = 1.0;
    *vy = 0.5;
    return 0;
}

static int step(hermes_module *m, const hermes_time *t) {
    (void)m;
    *x += 1.0 * t->dt;
    *y += 0.5 * t->dt;
    return 0;
}

int main(void) {
    static const hermes_signal signals[] = {
        { .name = "position.x", .unit = "m" },
        { .name = "position.y", .unit = "m" },
        { .name = "velocity.x", .unit = "m/s" },
        { .name = "velocity.y", .unit = "m/s" },
    };
    hermes_module_def def = { .signals = signals, .signal_count = 4, .init = init, .stage = stage, .step = step };
    return hermes_run(&def);
}
