// Dark (default) or light theme, remembered in localStorage.

const KEY = "tessera.theme";

export function storedTheme() {
  try {
    return localStorage.getItem(KEY) === "light" ? "light" : "dark";
  } catch {
    return "dark";
  }
}

export function applyTheme(theme) {
  const value = theme === "light" ? "light" : "dark";
  document.documentElement.dataset.theme = value;
  try {
    localStorage.setItem(KEY, value);
  } catch {
    // storage disabled: the theme still applies for this page
  }
  return value;
}
