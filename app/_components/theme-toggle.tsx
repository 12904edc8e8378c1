"use client";

import { useEffect, useState } from "react";
import { SegmentedControl } from "./segmented-control";
import {
  applyTheme,
  readThemePreference,
  saveThemePreference,
  THEME_LABELS,
  THEME_PREFERENCES,
  type ThemePreference,
} from "./theme";

/**
 * Renders the header's theme switch: System, Light or Dark. The server cannot read the
 * stored choice, so the switch shows "System" until it reads localStorage after hydration.
 * The page itself is already in the right theme, set by the head script.
 */
export function ThemeToggle() {
  const [preference, setPreference] = useState<ThemePreference>("system");

  useEffect(() => setPreference(readThemePreference()), []);

  // A page that follows the system changes with it, for instance at sunset.
  useEffect(() => {
    if (preference !== "system") return;
    const query = window.matchMedia("(prefers-color-scheme: light)");
    const follow = () => applyTheme("system");
    query.addEventListener("change", follow);
    return () => query.removeEventListener("change", follow);
  }, [preference]);

  const choose = (next: ThemePreference) => {
    setPreference(next);
    saveThemePreference(next);
  };

  return (
    <SegmentedControl
      legend="Theme"
      name="theme"
      options={THEME_PREFERENCES.map((option) => ({ value: option, label: THEME_LABELS[option] }))}
      value={preference}
      onChange={choose}
      testId="theme-toggle"
    />
  );
}
