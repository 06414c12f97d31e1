#!/bin/sh
# Stands in for Prisma's schema engine (PRISMA_SCHEMA_ENGINE_BINARY) while the tests generate
# their client: `prisma generate` needs the variable to name an executable, so that it does not
# download the real engine, but never runs it. If a Prisma version starts running it, this says so.
echo "goneaway tests: Prisma tried to run its schema engine, which is not installed here" >&2
exit 1
