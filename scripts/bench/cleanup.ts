// What the bench started (servers, the browser, the build directory), closed in reverse order
// whatever happens: normal end, an error, the time limit, or Ctrl-C.
export class Cleanup {
  readonly #steps: Array<{ name: string; run: () => unknown }> = [];
  #running: Promise<void> | null = null;

  /** Registers a step; returns a function that runs it now (once) instead of at the end. */
  add(name: string, run: () => unknown): () => Promise<void> {
    const step = { name, run };
    this.#steps.push(step);
    return async () => {
      const index = this.#steps.indexOf(step);
      if (index < 0) return;
      this.#steps.splice(index, 1);
      await runStep(step);
    };
  }

  /** Runs every remaining step, newest first; each gets 10 s to finish. */
  runAll(): Promise<void> {
    this.#running ??= (async () => {
      while (this.#steps.length > 0) {
        const step = this.#steps.pop();
        if (step) await runStep(step);
      }
    })();
    return this.#running;
  }
}

async function runStep(step: { name: string; run: () => unknown }, timeoutMs = 10_000) {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(step.run),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      }),
    ]);
  } catch (error) {
    console.error(`cleanup: ${step.name}: ${error instanceof Error ? error.message : error}`);
  } finally {
    clearTimeout(timer);
  }
}
