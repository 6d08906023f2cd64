import type { ThemeConfig } from "antd";

// antd's default blue, red and grey text fall below WCAG AA contrast on white; these darker tones pass 4.5:1.
export const consoleTheme: ThemeConfig = {
  token: {
    colorPrimary: "#0958d9",
    colorLink: "#0958d9",
    // Hover and active tones stay dark too: a pointer resting on a just-clicked control keeps it hovered.
    colorPrimaryHover: "#003eb3",
    colorPrimaryActive: "#002c8c",
    colorLinkHover: "#003eb3",
    colorLinkActive: "#002c8c",
    colorInfo: "#0958d9",
    colorError: "#c41d1d",
    colorErrorHover: "#a8071a",
    colorErrorActive: "#820014",
    colorTextSecondary: "rgba(0, 0, 0, 0.65)",
    colorTextTertiary: "rgba(0, 0, 0, 0.62)",
    colorTextDescription: "rgba(0, 0, 0, 0.62)",
    colorTextPlaceholder: "rgba(0, 0, 0, 0.55)",
  },
};
