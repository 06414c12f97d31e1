/**
 * The CLI's own connections to the server being inspected: plain mysql2 connections with a
 * bounded connect, TLS per the target, and failures turned into one-line errors.
 */
import { readFile } from 'node:fs/promises';
import { isIP, connect as netConnect } from 'node:net';
import mysql from 'mysql2/promise';
import { passwordExchangePlugins } from '../config/password-exchange.js';
import { nameTlsPeer, sslOptionsForMode } from '../config/tls-options.js';
import { ConfigurationError } from '../errors/index.js';
import { UsageError } from './cli-error.js';
import { type ConnectionTarget, describeTarget } from './connection-options.js';
import { toCliError } from './describe-error.js';

/** An open connection and how long opening it took. */
export interface OpenedConnection {
  readonly connection: mysql.Connection;
  /** TCP (or socket) connect + TLS + authentication, in ms. */
  readonly connectMs: number;
}

/**
 * Opens one connection to `target`. A failure is thrown as a `CliError` whose message names
 * the target (never the password) and whose exit code says whether nothing answered (3) or
 * the login was refused (4).
 *
 * @example
 * const { connection, connectMs } = await openConnection(target);
 * try {
 *   await connection.query('SELECT 1');
 * } finally {
 *   connection.destroy();
 * }
 */
export async function openConnection(target: ConnectionTarget): Promise<OpenedConnection> {
  const options = await toDriverOptions(target);
  const started = performance.now();
  let connection: mysql.Connection;
  try {
    connection = await mysql.createConnection(options);
  } catch (error) {
    throw toCliError(error, {
      target: describeTarget(target),
      phase: 'connect',
      connectTimeoutMs: target.connectTimeoutMs,
    });
  }
  // An idle connection that dies reports it as an 'error' event; without a listener the
  // process would crash. The next query on it fails and is reported there.
  connection.on('error', () => {});
  return { connection, connectMs: performance.now() - started };
}

/**
 * The mysql2 options for a target, reading certificate files if TLS asks for them.
 *
 * @example
 * const options = await toDriverOptions(target);
 */
export async function toDriverOptions(target: ConnectionTarget): Promise<mysql.ConnectionOptions> {
  const tls = sslOptionsForMode(target.sslMode);
  const serverPublicKey = target.serverPublicKeyPath
    ? await readPem(target.serverPublicKeyPath, '--server-public-key-path')
    : undefined;
  let authPlugins: mysql.ConnectionOptions['authPlugins'];
  try {
    authPlugins = passwordExchangePlugins({
      tls: tls !== undefined,
      socket: target.socketPath !== undefined,
      serverPublicKey,
      insecureAllowPublicKeyRetrieval: target.insecureAllowPublicKeyRetrieval,
      label: describeTarget(target),
    });
  } catch (error) {
    if (error instanceof ConfigurationError)
      throw new UsageError(
        `--server-public-key-path ${target.serverPublicKeyPath}: not an RSA public key in PEM form`,
      );
    throw error;
  }
  const options: mysql.ConnectionOptions = {
    user: target.user,
    connectTimeout: target.connectTimeoutMs,
    // Big counters (Bytes_sent, ...) as strings rather than imprecise numbers.
    supportBigNumbers: true,
    ...(target.password === undefined ? {} : { password: target.password }),
    ...(target.database === undefined ? {} : { database: target.database }),
    ...(target.socketPath
      ? { socketPath: target.socketPath }
      : { host: target.host, port: target.port }),
    ...(authPlugins === undefined ? {} : { authPlugins }),
  };
  if (tls === undefined) return options;
  return {
    ...options,
    // For an IP host, the certificate is checked against that IP (see nameTlsPeer).
    ...(!target.socketPath && isIP(target.host) ? { stream: () => tcpSocket(target) } : {}),
    ssl: {
      ...tls,
      ...(target.sslCa ? { ca: await readPem(target.sslCa, '--ssl-ca') } : {}),
      ...(target.sslCert ? { cert: await readPem(target.sslCert, '--ssl-cert') } : {}),
      ...(target.sslKey ? { key: await readPem(target.sslKey, '--ssl-key') } : {}),
    },
  };
}

function tcpSocket(target: ConnectionTarget) {
  const socket = netConnect({ host: target.host, port: target.port });
  socket.setNoDelay(true);
  nameTlsPeer(socket, target.host);
  return socket;
}

async function readPem(path: string, option: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as { code?: string }).code ?? 'unreadable';
    throw new UsageError(`cannot read the ${option} file ${path} (${code})`);
  }
}
