import "server-only";
import { ApiError, route } from "@/lib/api";
import { doctorStatus, isAdmin } from "@/lib/chain/server/doctors";
import { isPatient } from "@/lib/chain/server/reads";
import { limitByAddress, limitBySession } from "@/lib/rate-limit";
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

export type Role = "patient" | "doctor" | "admin";

export interface WithSessionOptions {
  /**
   * Also require a role, checked on chain at each request (never from the cookie), else 403: "patient" =
   * registered in PatientContract, "doctor" = an active doctor in DoctorContract, "admin" = DoctorContract.isAdmin.
   */
  role?: Role;
}

const ROLE_MESSAGES = {
  patient: "Only a registered patient may do this.",
  notDoctor: "This account is not registered as a doctor.",
  deactivated: "Your doctor account is deactivated.",
  admin: "You are not an administrator.",
} as const;

/** 403 unless `address` holds `role` on chain now. */
async function requireRole(address: string, role: Role): Promise<void> {
  if (role === "patient") {
    if (!(await isPatient(address))) throw new ApiError("forbidden", ROLE_MESSAGES.patient);
  } else if (role === "admin") {
    if (!(await isAdmin(address))) throw new ApiError("forbidden", ROLE_MESSAGES.admin);
  } else {
    const status = await doctorStatus(address);
    if (status === "none") throw new ApiError("forbidden", ROLE_MESSAGES.notDoctor);
    if (status === "inactive") throw new ApiError("forbidden", ROLE_MESSAGES.deactivated);
  }
}

interface RouteContext<P extends Params> {
  params: Promise<P>;
}

/**
 * A route for signed-in callers: 403 for a state-changing request from another origin, 429 over a rate limit
 * (lib/rate-limit: per client address, then per session), 401 without a valid session cookie, 403 without the
 * required role on chain; service failures become 503.
 */
export function withSession<P extends Params = Params>(
  handler: (context: SessionContext<P>) => Promise<Response>,
  options: WithSessionOptions = {},
): (request: Request, context: RouteContext<P>) => Promise<Response> {
  return route<RouteContext<P>>(async (request, context) => {
    try {
      assertSameOrigin(request);
      await limitByAddress(request);
      const session = await requireSession(request);
      await limitBySession(request, session.id);
      if (options.role) await requireRole(session.address, options.role);
      return await handler({ request, address: session.address, chainId: session.chainId, expiresAt: session.expiresAt, params: await context.params });
    } catch (error) {
      throw toApiError(error);
    }
  });
}

/**
 * A route anyone may call (but 403 for a state-changing request from another origin, 429 over the client
 * address's rate limit); service failures become 503.
 */
export function publicRoute<P extends Params = Params>(
  handler: (context: { request: Request; params: P }) => Promise<Response>,
): (request: Request, context: RouteContext<P>) => Promise<Response> {
  return route<RouteContext<P>>(async (request, context) => {
    try {
      assertSameOrigin(request);
      await limitByAddress(request);
      return await handler({ request, params: await context.params });
    } catch (error) {
      throw toApiError(error);
    }
  });
}
