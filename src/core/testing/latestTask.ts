/**
 * A job that must reflect the latest state when it ends (discovery of the workspace): one run
 * at a time, and a request made while one runs starts one more run after it, which every
 * request made meanwhile shares. Joining the running one could miss what changed after it read
 * the disk.
 */
export class LatestTask {
  private running: Promise<void> | undefined;
  private next: Promise<void> | undefined;
  private readonly job: () => Promise<void>;

  constructor(job: () => Promise<void>) {
    this.job = job;
  }

  request(): Promise<void> {
    if (!this.running) {
      this.running = this.job().finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    this.next ??= this.running.catch(() => undefined).then(() => {
      this.next = undefined;
      return this.request();
    });
    return this.next;
  }
}
