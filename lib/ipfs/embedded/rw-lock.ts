/**
 * First-come, first-served readers-writer lock. Adds share it; garbage collection takes it alone,
 * so a sweep never deletes the blocks of an add whose pin is not written yet.
 */
export class RwLock {
  private readers = 0;
  private writing = false;
  private readonly queue: Array<{ exclusive: boolean; start: () => void }> = [];

  shared<T>(task: () => Promise<T>): Promise<T> {
    return this.run(false, task);
  }

  exclusive<T>(task: () => Promise<T>): Promise<T> {
    return this.run(true, task);
  }

  private async run<T>(exclusive: boolean, task: () => Promise<T>): Promise<T> {
    await new Promise<void>((start) => {
      this.queue.push({ exclusive, start });
      this.grant();
    });
    try {
      return await task();
    } finally {
      if (exclusive) this.writing = false;
      else this.readers--;
      this.grant();
    }
  }

  private grant(): void {
    for (let next = this.queue[0]; next && !this.writing; next = this.queue[0]) {
      if (next.exclusive && this.readers > 0) return;
      this.queue.shift();
      if (next.exclusive) this.writing = true;
      else this.readers++;
      next.start();
    }
  }
}
