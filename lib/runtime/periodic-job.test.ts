import { expect } from 'chai';
import { metricsRegistry } from '../metrics.js';
import { eventually } from '../testing/eventually.js';
import { quietLogger } from '../testing/quiet-logger.js';
import { startPeriodicJob, type PeriodicJob } from './periodic-job.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function runsCounted(job: string, outcome: string): Promise<number> {
  const metric = await metricsRegistry.getSingleMetric('background_job_runs_total')!.get();
  return metric.values
    .filter((value) => value.labels.job === job && value.labels.outcome === outcome)
    .reduce((sum, value) => sum + value.value, 0);
}

describe('lib/runtime: periodic job', () => {
  const jobs: PeriodicJob[] = [];
  afterEach(async () => {
    await Promise.all(jobs.splice(0).map((job) => job.stop()));
  });
  const start = (options: Parameters<typeof startPeriodicJob>[0]) => {
    const job = startPeriodicJob(options);
    jobs.push(job);
    return job;
  };

  it('runs at start when asked, then every interval, never two runs at once', async () => {
    let active = 0;
    let most = 0;
    let runs = 0;
    start({
      name: 'overlap-test',
      service: 'test',
      intervalMs: 5,
      runAtStart: true,
      logger: quietLogger(),
      async run() {
        active++;
        most = Math.max(most, active);
        runs++;
        await sleep(30); // far longer than the interval
        active--;
      },
    });
    await eventually(() => runs >= 4, { what: 'four runs' });
    expect(most).to.equal(1);
  });

  it('waits one interval before the first run unless asked to run at start', async () => {
    let runs = 0;
    start({
      name: 'late-test',
      service: 'test',
      intervalMs: 60_000,
      logger: quietLogger(),
      run: async () => void runs++,
    });
    await sleep(50);
    expect(runs).to.equal(0);
  });

  it('logs and counts a failed run, and runs again at the next interval', async () => {
    let runs = 0;
    const before = await runsCounted('failing-test', 'failed');
    start({
      name: 'failing-test',
      service: 'test',
      intervalMs: 5,
      runAtStart: true,
      logger: quietLogger(),
      async run() {
        runs++;
        if (runs <= 2) throw new Error('database unavailable');
      },
    });
    await eventually(() => runs >= 3, { what: 'a run after two failures' });
    expect((await runsCounted('failing-test', 'failed')) - before).to.equal(2);
    await eventually(async () => (await runsCounted('failing-test', 'succeeded')) >= 1);
  });

  it('stop waits for the run in progress, tells it to stop, and no run follows', async () => {
    let runs = 0;
    let finished = false;
    let sawStopping = false;
    const job = start({
      name: 'stop-test',
      service: 'test',
      intervalMs: 1,
      runAtStart: true,
      logger: quietLogger(),
      async run(current) {
        runs++;
        while (!current.stopping()) await sleep(5);
        sawStopping = true;
        await sleep(20);
        finished = true;
      },
    });
    await eventually(() => runs === 1);
    await job.stop();
    expect(finished).to.equal(true);
    expect(sawStopping).to.equal(true);
    await sleep(30);
    expect(runs).to.equal(1);
  });

  it('runNow runs at once, or joins the run in progress', async () => {
    let runs = 0;
    const job = start({
      name: 'now-test',
      service: 'test',
      intervalMs: 60_000,
      logger: quietLogger(),
      async run() {
        runs++;
        await sleep(20);
      },
    });
    await Promise.all([job.runNow(), job.runNow()]);
    expect(runs).to.equal(1);
    await job.runNow();
    expect(runs).to.equal(2);
  });
});
