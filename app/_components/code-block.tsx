import { CopyButton } from "./copy-button";

/**
 * A block of copyable text such as a curl command. Without `copyLabel` there is no button
 * and a click selects the whole text instead.
 */
export function CodeBlock({
  code,
  copyLabel,
  testId,
  wrap = false,
}: {
  code: string;
  copyLabel?: string;
  testId?: string;
  /** Wraps a long single line (a URL, a command with keys) instead of scrolling it. */
  wrap?: boolean;
}) {
  return (
    // Code stays dark in both themes, like a terminal.
    <div className="theme-dark relative rounded-xl border border-zinc-800 bg-zinc-950">
      {copyLabel ? (
        <div className="flex justify-end border-b border-zinc-800 px-2 py-1.5">
          <CopyButton text={code} label={copyLabel} />
        </div>
      ) : null}
      <pre
        data-testid={testId}
        // A scrolling block takes the focus, so it can be scrolled with the arrow keys.
        tabIndex={wrap ? undefined : 0}
        className={`p-3 font-mono text-xs leading-relaxed text-zinc-200 select-all ${
          wrap
            ? "break-all whitespace-pre-wrap"
            : "overflow-x-auto focus-visible:outline-2 focus-visible:outline-runpod-light"
        }`}
      >
        {code}
      </pre>
    </div>
  );
}
