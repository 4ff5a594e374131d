// Copying text for the user. The clipboard API is missing on insecure (http) pages and may
// refuse (no permission): the answer says whether the text was copied, never throws.

export interface ClipboardLike {
  writeText?: (text: string) => Promise<void>;
}

export async function copyText(
  text: string,
  clipboard: ClipboardLike | undefined = globalThis.navigator?.clipboard,
): Promise<boolean> {
  if (!clipboard?.writeText) return false;
  try {
    await clipboard.writeText(text);
    return true;
  } catch {
    return false;
  }
}
