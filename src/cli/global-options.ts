/** Global flags every command sees, resolved once in main.ts (flags > env > defaults). */
export interface GlobalOptions {
  readonly workDir: string;
  readonly debug: boolean;
}
