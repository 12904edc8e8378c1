"use client";

/**
 * Renders a row of choices as buttons, built from native radio buttons so that it has a
 * radio group's keyboard behaviour: Tab enters the group and the arrow keys move the
 * choice. The legend names the group for assistive technology.
 */
export function SegmentedControl<Value extends string>({
  legend,
  name,
  options,
  value,
  onChange,
  testId,
}: {
  legend: string;
  /** The radio group's name, unique on the page. */
  name: string;
  options: readonly { value: Value; label: string }[];
  value: Value;
  onChange: (value: Value) => void;
  testId?: string;
}) {
  return (
    <fieldset data-testid={testId} className="min-w-0">
      <legend className="sr-only">{legend}</legend>
      <div className="flex flex-wrap gap-0.5 rounded-lg border border-zinc-700 bg-zinc-900 p-0.5">
        {options.map((option) => (
          <label key={option.value} className="relative">
            <input
              type="radio"
              name={name}
              value={option.value}
              checked={value === option.value}
              onChange={() => onChange(option.value)}
              className="peer sr-only"
            />
            <span className="block cursor-pointer rounded-md px-2.5 py-1 text-xs font-medium text-zinc-400 peer-checked:bg-runpod peer-checked:text-white peer-focus-visible:outline-2 peer-focus-visible:outline-offset-1 peer-focus-visible:outline-runpod-light">
              {option.label}
            </span>
          </label>
        ))}
      </div>
    </fieldset>
  );
}
