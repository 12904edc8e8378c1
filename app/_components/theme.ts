/**
 * The page theme. The visitor's choice is kept in localStorage, and "system" follows
 * prefers-color-scheme. The root element carries the theme in effect as `data-theme`,
 * which globals.css reads. The cards stay dark in both themes.
 */

export const THEME_PREFERENCES = ["system", "light", "dark"] as const;

export type ThemePreference = (typeof THEME_PREFERENCES)[number];

export const THEME_STORAGE_KEY = "chirp-theme";

export const THEME_LABELS: Record<ThemePreference, string> = {
  system: "System",
  light: "Light",
  dark: "Dark",
};

/**
 * A script for the document head that sets `data-theme` before the first paint, so a
 * light page never flashes dark. It repeats applyTheme's rule because it runs before any
 * bundle has loaded. Without localStorage (a blocked storage) it follows the system.
 */
export const THEME_SCRIPT = `(function(){var p=null;try{p=localStorage.getItem(${JSON.stringify(THEME_STORAGE_KEY)})}catch(e){}var l=p==="light"||(p!=="dark"&&window.matchMedia("(prefers-color-scheme: light)").matches);document.documentElement.dataset.theme=l?"light":"dark"})()`;

export function readThemePreference(): ThemePreference {
  try {
    const stored = window.localStorage.getItem(THEME_STORAGE_KEY);
    return stored === "light" || stored === "dark" ? stored : "system";
  } catch {
    return "system";
  }
}

/** Sets `data-theme` on the root element for a preference, resolving "system". */
export function applyTheme(preference: ThemePreference): void {
  const light =
    preference === "light" ||
    (preference === "system" && window.matchMedia("(prefers-color-scheme: light)").matches);
  document.documentElement.dataset.theme = light ? "light" : "dark";
}

/** Stores a preference ("system" removes the stored one) and applies it. */
export function saveThemePreference(preference: ThemePreference): void {
  try {
    if (preference === "system") window.localStorage.removeItem(THEME_STORAGE_KEY);
    else window.localStorage.setItem(THEME_STORAGE_KEY, preference);
  } catch {
    // NOTE: with storage blocked, the choice lasts only until the next page load.
  }
  applyTheme(preference);
}
