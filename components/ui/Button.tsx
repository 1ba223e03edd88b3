import type { ButtonHTMLAttributes } from "react";

const variants = {
  primary: "bg-brand-600 text-white hover:bg-brand-700 disabled:bg-slate-300 disabled:text-slate-600",
  secondary: "border border-slate-300 bg-white text-slate-800 hover:bg-slate-100 disabled:text-slate-400",
  danger: "bg-red-600 text-white hover:bg-red-700 disabled:bg-slate-300",
  link: "text-brand-700 underline hover:text-brand-800 disabled:text-slate-400",
} as const;

export function Button({ variant = "primary", className = "", type = "button", ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: keyof typeof variants }) {
  const shape = variant === "link" ? "" : "rounded-md px-4 py-2 font-medium";
  return <button type={type} className={`${shape} ${variants[variant]} disabled:cursor-not-allowed ${className}`} {...props} />;
}
