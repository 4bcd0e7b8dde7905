import { useState } from "preact/hooks";
import { otherErrors, type UserError } from "../client";

/** Runs one mutation for a form: busy while it runs, then its userErrors or failure. */
export function useAction(fields: readonly string[]) {
  const [busy, setBusy] = useState(false);
  const [errors, setErrors] = useState<UserError[]>([]);
  const [failure, setFailure] = useState<string | null>(null);

  async function run(mutate: () => Promise<readonly UserError[]>): Promise<boolean> {
    setBusy(true);
    setFailure(null);
    try {
      const found = await mutate();
      setErrors([...found]);
      return found.length === 0;
    } catch (error) {
      setErrors([]);
      setFailure(error instanceof Error ? error.message : String(error));
      return false;
    } finally {
      setBusy(false);
    }
  }

  return { busy, errors, failure, run, unplaced: otherErrors(errors, fields) };
}
