/** Why a connection may not come in: sent as its close (or, before the upgrade, as its HTTP answer). */
export interface Refusal {
  code: number;
  reason: string;
  /** Already logged (in aggregate) where it was decided: do not log it again. */
  logged?: true;
}
