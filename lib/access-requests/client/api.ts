// Typed calls of the access-request routes, through the one browser API client.
import { requestJson as json, sendJson } from "@/lib/api/client/http";
import { accessRequestSchema, accessRequestsResponseSchema, type CreateAccessRequest } from "@/lib/access-requests/schemas";

/** POST /api/access-requests (doctor): a 409 ApiClientError while an open request to this patient exists. */
export const createAccessRequest = (body: CreateAccessRequest) => json(accessRequestSchema, "/api/access-requests", sendJson("POST", body));

/** The signed-in doctor's requests, newest first, with their outcome. */
export const getSentRequests = () => json(accessRequestsResponseSchema, "/api/access-requests/sent", { cache: "no-store" });

/** The signed-in patient's pending requests from active doctors. */
export const getReceivedRequests = () => json(accessRequestsResponseSchema, "/api/access-requests/received", { cache: "no-store" });

const act = (id: string, action: "approve" | "decline" | "withdraw") => json(accessRequestSchema, `/api/access-requests/${encodeURIComponent(id)}/${action}`, { method: "POST" });

/** Marks a request approved: the server answers 409 until it sees a live grant to the doctor on chain. */
export const approveRequest = (id: string) => act(id, "approve");
export const declineRequest = (id: string) => act(id, "decline");
export const withdrawRequest = (id: string) => act(id, "withdraw");
