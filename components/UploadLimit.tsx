"use client";

import { createContext, useContext } from "react";
import { DEFAULT_MAX_UPLOAD_BYTES } from "@/lib/records/client/upload-form";

/** The server's MAX_UPLOAD_BYTES, handed down from the layout so the browser checks the same limit. */
export const UploadLimitContext = createContext<number>(DEFAULT_MAX_UPLOAD_BYTES);

export const useUploadLimit = () => useContext(UploadLimitContext);
