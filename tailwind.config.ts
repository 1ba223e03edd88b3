// Tailwind 4 reads this through `@config` in app/globals.css; theme tokens live here.
import type { Config } from "tailwindcss";

const config: Config = {
  content: ["./app/**/*.{ts,tsx}", "./components/**/*.{ts,tsx}"],
  theme: {
    extend: {
      colors: {
        brand: { 50: "#eef7f6", 100: "#d5ecea", 600: "#0f766e", 700: "#115e59", 900: "#134e4a" },
      },
    },
  },
};

export default config;
