/**
 * goneaway: MySQL and MariaDB connections for Node.js that survive the server going away.
 *
 * @packageDocumentation
 */
export {};
