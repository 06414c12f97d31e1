/**
 * Headless Chromium (Debian's `chromium` package) for rendering the report: the DOM after the
 * page's scripts ran, and a PNG screenshot. Runs with a throwaway profile and with every
 * host name unresolvable, so a page that tried to fetch anything from the network would fail
 * to, and the report is proven to render offline.
 */
import { execFile } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];
const RUN_BOUND_MS = 90_000;

/** Why Chromium could not be used, with what to install. */
export const CHROMIUM_MISSING =
  'headless Chromium not found (looked for ' +
  `${CANDIDATES.join(', ')} and $CHROMIUM_PATH). Install Debian's package: ` +
  "'apt-get install -y chromium' (scripts/setup.sh does this).";

/**
 * The Chromium binary to use: `$CHROMIUM_PATH`, else the first executable candidate.
 *
 * @example
 * const chromium = findChromium();
 * if (!chromium) throw new Error(CHROMIUM_MISSING);
 */
export function findChromium(): string | undefined {
  const candidates = [process.env.CHROMIUM_PATH, ...CANDIDATES].filter(
    (path): path is string => typeof path === 'string' && path.length > 0,
  );
  return candidates.find((path) => {
    try {
      accessSync(path, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** What to ask of one headless Chromium run. */
export type ChromiumTask =
  | { readonly kind: 'dump-dom' }
  | {
      readonly kind: 'screenshot';
      readonly path: string;
      readonly width: number;
      readonly height: number;
    };

/**
 * Opens `htmlPath` in headless Chromium and returns its stdout (the serialized DOM for
 * `dump-dom`). Bounded: the browser is killed after 90 s.
 *
 * @example
 * const dom = await runChromium(findChromium()!, 'report.html', { kind: 'dump-dom' });
 * dom.includes('data-charts-drawn'); // true once the page's script ran
 */
export async function runChromium(
  chromium: string,
  htmlPath: string,
  task: ChromiumTask,
): Promise<string> {
  const profile = await mkdtemp(join(tmpdir(), 'goneaway-chromium-'));
  const args = [
    '--headless',
    '--no-sandbox',
    '--disable-gpu',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--no-first-run',
    '--hide-scrollbars',
    '--host-resolver-rules=MAP * ~NOTFOUND',
    `--user-data-dir=${profile}`,
    // Lets timers and the ResizeObserver settle before the DOM or the picture is taken.
    '--virtual-time-budget=5000',
    ...(task.kind === 'dump-dom'
      ? ['--dump-dom']
      : [`--screenshot=${task.path}`, `--window-size=${task.width},${task.height}`]),
    pathToFileURL(htmlPath).href,
  ];
  try {
    return await new Promise<string>((resolve, reject) => {
      execFile(
        chromium,
        args,
        { timeout: RUN_BOUND_MS, killSignal: 'SIGKILL', maxBuffer: 64 * 1024 * 1024 },
        (error, stdout, stderr) => {
          if (error) {
            reject(new Error(`${chromium} failed: ${error.message}\n${stderr.slice(-2_000)}`));
          } else {
            resolve(stdout);
          }
        },
      );
    });
  } finally {
    await rm(profile, { recursive: true, force: true });
  }
}
