/**
 * One audience member as the connectors see it: the person's identifiers and traits, read from the
 * profile store by the audience runner. Raw (un-normalised) values; a value that already is a
 * SHA-256 hex digest is passed through.
 */
export interface AudienceMember {
  personId: string;
  externalId?: string;
  email?: string;
  phone?: string;
  firstName?: string;
  lastName?: string;
  gender?: string;
  /** `YYYY-MM-DD` */
  birthDate?: string;
  city?: string;
  state?: string;
  zip?: string;
  country?: string;
  madid?: string;
  /** IANA time zone, for quiet hours (`Europe/Berlin`). */
  timeZone?: string;
  /** Marketing consent; a member without it is never sent anywhere (counted as skipped-for-consent). */
  marketingConsent: boolean;
  /** WhatsApp opt-in for this business (meta.md §3.2); required for template sends. */
  whatsappOptIn?: boolean;
  traits?: Record<string, unknown>;
}
