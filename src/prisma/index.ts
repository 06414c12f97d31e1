/**
 * `goneaway/prisma`: a Prisma driver adapter (Prisma 7, `provider = "mysql"`) running on
 * goneaway's pool. Loads `@prisma/driver-adapter-utils` (an optional peer dependency); nothing
 * of Prisma is loaded unless this entry point is imported. docs/orms.md has the set-up.
 *
 * @example
 * import { PrismaClient } from './generated/prisma/client.js';
 * import { PrismaGoneaway } from 'goneaway/prisma';
 * const prisma = new PrismaClient({ adapter: new PrismaGoneaway(process.env.DATABASE_URL!) });
 *
 * @packageDocumentation
 */
export { goneawayErrorOf } from './adapter-error.js';
export { PrismaGoneaway, type PrismaGoneawayOptions } from './prisma-goneaway.js';
