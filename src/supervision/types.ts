/** A monitored service's health as the thresholds see it. */
export type ServiceHealth = 'unknown' | 'healthy' | 'failing' | 'down';
