/* Floating-point benchmark: a 5-body gravitational simulation (double precision, sqrt). */
#include <math.h>
#include <stdio.h>

typedef struct { double x, y, z, vx, vy, vz, m; } Body;

static Body bodies[5] = {
    {0, 0, 0, 0, 0, 0, 39.47841760435743},
    {4.84143144246472090, -1.16032004402742839, -0.103622044471123109, 0.606326392995832, 2.81198684491626, -0.02521836165988763, 0.03769367487038949},
    {8.34336671824457987, 4.12479856412430479, -0.403523417114321381, -1.01077434617490, 1.82566237123041, 0.00841576137658415, 0.011286326131968767},
    {12.894369562139131, -15.111151401698631, -0.22330757889265573, 1.08279100644154, 0.868713018169608, -0.01083270493825, 0.0017237240570597112},
    {15.379697114850917, -25.919314609987964, 0.17925877295037118, 0.979090732243898, 0.594698998647676, -0.0347559555040, 0.0020336868699246304},
};

static double energy(void) {
    double e = 0;
    for (int i = 0; i < 5; ++i) {
        Body* b = &bodies[i];
        e += 0.5 * b->m * (b->vx * b->vx + b->vy * b->vy + b->vz * b->vz);
        for (int j = i + 1; j < 5; ++j) {
            double dx = b->x - bodies[j].x, dy = b->y - bodies[j].y, dz = b->z - bodies[j].z;
            e -= b->m * bodies[j].m / sqrt(dx * dx + dy * dy + dz * dz);
        }
    }
    return e;
}

int main(void) {
    printf("%.9f\n", energy());
    for (int step = 0; step < 400000; ++step) {
        for (int i = 0; i < 5; ++i)
            for (int j = i + 1; j < 5; ++j) {
                double dx = bodies[i].x - bodies[j].x, dy = bodies[i].y - bodies[j].y, dz = bodies[i].z - bodies[j].z;
                double d2 = dx * dx + dy * dy + dz * dz;
                double mag = 0.01 / (d2 * sqrt(d2));
                bodies[i].vx -= dx * bodies[j].m * mag;
                bodies[i].vy -= dy * bodies[j].m * mag;
                bodies[i].vz -= dz * bodies[j].m * mag;
                bodies[j].vx += dx * bodies[i].m * mag;
                bodies[j].vy += dy * bodies[i].m * mag;
                bodies[j].vz += dz * bodies[i].m * mag;
            }
        for (int i = 0; i < 5; ++i) {
            bodies[i].x += 0.01 * bodies[i].vx;
            bodies[i].y += 0.01 * bodies[i].vy;
            bodies[i].z += 0.01 * bodies[i].vz;
        }
    }
    printf("%.9f\n", energy());
    return 0;
}
