"use client";

import { type KeyboardEvent, useId, useRef, useState } from "react";
import { CodeBlock } from "./code-block";

export interface CodeTab {
  label: string;
  code: string;
  /** A line above the code, such as what to replace before running it. */
  description?: string;
  testId?: string;
}

/** Code examples of one task in several languages, one tab each, with a copy button. */
export function CodeTabs({ tabs, label }: { tabs: CodeTab[]; label: string }) {
  const [selected, setSelected] = useState(0);
  const baseId = useId();
  const tabRefs = useRef<(HTMLButtonElement | null)[]>([]);
  const current = tabs[selected] ?? tabs[0];
  if (!current) return null;

  // Arrow keys move between tabs, as the WAI-ARIA tabs pattern expects.
  function onKeyDown(event: KeyboardEvent<HTMLDivElement>) {
    let step: number;
    if (event.key === "ArrowRight") step = 1;
    else if (event.key === "ArrowLeft") step = -1;
    else return;
    event.preventDefault();
    const next = (selected + step + tabs.length) % tabs.length;
    setSelected(next);
    tabRefs.current[next]?.focus();
  }

  return (
    <div className="flex flex-col gap-2">
      <div
        role="tablist"
        aria-label={label}
        onKeyDown={onKeyDown}
        className="flex gap-1 border-b border-zinc-800"
      >
        {tabs.map((tab, index) => (
          <button
            key={tab.label}
            ref={(element) => {
              tabRefs.current[index] = element;
            }}
            type="button"
            role="tab"
            id={`${baseId}-tab-${index}`}
            aria-selected={index === selected}
            aria-controls={`${baseId}-panel`}
            tabIndex={index === selected ? 0 : -1}
            onClick={() => setSelected(index)}
            className={`-mb-px border-b-2 px-3 py-1.5 text-xs font-medium transition ${
              index === selected
                ? "border-runpod-light text-zinc-50"
                : "border-transparent text-zinc-400 hover:text-zinc-100"
            }`}
          >
            {tab.label}
          </button>
        ))}
      </div>
      <div
        role="tabpanel"
        id={`${baseId}-panel`}
        aria-labelledby={`${baseId}-tab-${selected}`}
        className="flex flex-col gap-2"
      >
        {current.description ? (
          <p className="text-sm text-zinc-400">{current.description}</p>
        ) : null}
        <CodeBlock code={current.code} copyLabel="Copy" testId={current.testId} />
      </div>
    </div>
  );
}
