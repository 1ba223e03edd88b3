import "server-only";
import { ApiError, route } from "@/lib/api";
import { isPatient } from "@/lib/chain/server/reads";
import { assertSameOrigin } from "./origin";
import { toApiError } from "./service-errors";
import { requireSession } from "./sessions";

type Params = Record<string, string>;

export interface SessionContext<P extends Params> {
  request: Request;
  /** The signed-in wallet (lowercase), from the session cookie only. */
  address: `0x${string}`;
  chainId: number;
  /** When the session ends. */
  expiresAt: Date;
  params: P;
}

export interface WithSessionOptions {
  /** Also require a role on chain: "patient" = registered in PatientContract (else 403). */
  role?: "patient";
}

interface RouteContext<P extends Params> {
  params: Promise<P>;
}

/**
 * A route for signed-in callers: 403 for a state-changing request from another origin, 401 without a valid
 * session cookie; service failures become 503.
 */
export function withSession<P extends Params = Params>(
  handler: (context: SessionContext<P>) => Promise<Response>,
  options: WithSessionOptions = {},
): (request: Request, context: RouteContext<P>) => Promise<Response> {
  return route<RouteContext<P>>(async (request, context) => {
    try {
      assertSameOrigin(request);
      const session = await requireSession(request);
      if (options.role === "patient" && !(await isPatient(session.address))) {
        throw new ApiError("forbidden", "Only a registered patient may do this.");
      }
      return await handler({ request, address: session.address, chainId: session.chainId, expiresAt: session.expiresAt, params: await context.params });
    } catch (error) {
      throw toApiError(error);
    }
  });
}

/** A route anyone may call (but 403 for a state-changing request from another origin); service failures become 503. */
export function publicRoute<P extends Params = Params>(
  handler: (context: { request: Request; params: P }) => Promise<Response>,
): (request: Request, context: RouteContext<P>) => Promise<Response> {
  return route<RouteContext<P>>(async (request, context) => {
    try {
      assertSameOrigin(request);
      return await handler({ request, params: await context.params });
    } catch (error) {
      throw toApiError(error);
    }
  });
}
