/** The current time; a port so that jobs and validation can be tested at any instant. */
export type Clock = () => Date;

export const systemClock: Clock = () => new Date();
