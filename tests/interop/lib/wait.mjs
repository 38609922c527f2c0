// Bounded waiting helpers. Every wait in the interop suite goes through these,
// so that nothing can hang: each one has a deadline and a description that
// ends up in the failure message.

export function sleep (ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

// Resolve with the promise's value, or reject after `ms` with a message that
// names what we were waiting for.
export async function withTimeout (promise, ms, what) {
  let timer;
  // the loser of the race must not become an unhandled rejection later
  Promise.resolve(promise).catch(() => {});
  const timeout = new Promise((resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// Poll `probe` (sync or async) until it returns a truthy value; return that
// value. On timeout, throw an error naming `what` and, if given, the result of
// `describe()` (the state seen last) to make failures readable.
export async function waitFor (probe, { timeout = 10000, interval = 50, what = 'a condition', describe } = {}) {
  const deadline = Date.now() + timeout;
  let lastError = null;
  for (;;) {
    try {
      const value = await probe();
      if (value)
        return value;
      lastError = null;
    } catch (e) {
      lastError = e;
    }
    if (Date.now() >= deadline)
      break;
    await sleep(Math.min(interval, Math.max(1, deadline - Date.now())));
  }
  let msg = `timed out after ${timeout} ms waiting for ${what}`;
  if (lastError)
    msg += `; last probe error: ${lastError.message}`;
  if (describe) {
    try {
      msg += `; state: ${await describe()}`;
    } catch (e) {
      msg += `; (state unavailable: ${e.message})`;
    }
  }
  throw new Error(msg);
}
