/**
 * Starting and stopping the peer brokers inside the benchmark, each in a temporary
 * directory of its own so nothing of the machine's own installation is touched:
 *
 * - RabbitMQ (Debian's rabbitmq-server 3.10): its own epmd on a free port (our child, so
 *   we can stop it by pid), a node name, mnesia and log directories, no plugins, and an
 *   AMQP listener on a free loopback port. Stopped with SIGTERM to the server script.
 * - NATS (Debian's nats-server 2.9): `nats-server -js -sd DIR` on a free loopback port.
 *
 * Both are found on PATH or in their Debian locations; when missing, the suite reports
 * how to install them (`apt-get install -y rabbitmq-server nats-server`) and skips them.
 */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort, RssSampler, run, sleep, startService, type Service } from './proc.js';

export interface PeerServer {
  name: string;
  version: string;
  url: string;
  pid: number;
  rss: RssSampler;
  stop(): Promise<void>;
}

const RABBIT_SERVER = '/usr/lib/rabbitmq/bin/rabbitmq-server';
const EPMD_CANDIDATES = ['/usr/bin/epmd', '/usr/lib/erlang/bin/epmd'];

export function rabbitAvailable(): boolean {
  return existsSync(RABBIT_SERVER) && EPMD_CANDIDATES.some((path) => existsSync(path));
}

export async function natsAvailable(): Promise<boolean> {
  try {
    return (await run('nats-server', ['--version'])).code === 0;
  } catch {
    return false;
  }
}

function debianVersion(pkg: string): Promise<string> {
  return run('dpkg-query', ['-W', '-f=${Version}', pkg]).then(
    (r) => (r.code === 0 ? r.stdout.trim() : '?'),
    () => '?',
  );
}

export async function startRabbit(dir: string): Promise<PeerServer> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const [epmdPort, amqpPort, distPort] = [await freePort(), await freePort(), await freePort()];
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(
    join(dir, 'rabbitmq.conf'),
    [
      `listeners.tcp.default = 127.0.0.1:${amqpPort}`,
      'loopback_users = none',
      // Keep RabbitMQ from blocking publishers on this shared machine's disk/memory checks.
      'disk_free_limit.absolute = 50MB',
      'vm_memory_high_watermark.relative = 0.6',
      '',
    ].join('\n'),
  );
  const env = {
    ...process.env,
    HOME: dir,
    ERL_EPMD_PORT: String(epmdPort),
    RABBITMQ_NODENAME: `weirbench${amqpPort}@localhost`,
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_LOGS: '-',
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
    RABBITMQ_PID_FILE: join(dir, 'rabbitmq.pid'),
  };
  const epmdPath = EPMD_CANDIDATES.find((path) => existsSync(path))!;
  const epmd: Service = await startService(epmdPath, ['-port', String(epmdPort), '-d'], {
    env,
    readyPattern: /epmd running|listening|./,
    timeoutMs: 10_000,
  });
  await sleep(200);
  let server: Service;
  try {
    server = await startService(RABBIT_SERVER, [], {
      env,
      cwd: dir,
      readyPattern: /Server startup complete/,
      timeoutMs: 120_000,
    });
  } catch (error) {
    await epmd.stop(2000);
    throw error;
  }
  const rss = new RssSampler(server.pid, { tree: true });
  return {
    name: 'RabbitMQ',
    version: await debianVersion('rabbitmq-server'),
    url: `amqp://guest:guest@127.0.0.1:${amqpPort}`,
    pid: server.pid,
    rss,
    stop: async () => {
      await server.stop(30_000);
      await epmd.stop(5000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function startNats(dir: string): Promise<PeerServer> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const port = await freePort();
  const server = await startService(
    'nats-server',
    ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', join(dir, 'jetstream')],
    { readyPattern: /Server is ready/, timeoutMs: 30_000 },
  );
  const version =
    /Version:\s+(\S+)/.exec(server.output())?.[1] ?? (await debianVersion('nats-server'));
  return {
    name: 'NATS JetStream',
    version,
    url: `nats://127.0.0.1:${port}`,
    pid: server.pid,
    rss: new RssSampler(server.pid),
    stop: async () => {
      await server.stop(15_000);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
