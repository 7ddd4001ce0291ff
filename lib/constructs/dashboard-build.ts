import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { type BundlingOptions, DockerImage } from 'aws-cdk-lib';

/**
 * `vite build` of the dashboard into the asset folder CDK hands over, with the Node running this app.
 * CDK skips it when the stack is not being deployed (unit tests, `cdk deploy OtherStack`), as it skips
 * bundling the functions; so a deploy always ships a build of the current source, never a stale dist/.
 */
export function viteBuild(frontendDir: string): BundlingOptions {
  return {
    // Never pulled: the local build below either succeeds or throws, so CDK never falls back to Docker.
    image: DockerImage.fromRegistry('scratch'),
    local: {
      tryBundle(outputDir: string) {
        const fail = (why: string) => {
          throw new Error(`Building the dashboard (vite build in ${frontendDir}) failed: ${why}`);
        };
        let vite = '';
        try {
          const manifest = createRequire(join(frontendDir, 'package.json')).resolve('vite/package.json');
          vite = join(dirname(manifest), 'bin', 'vite.js');
        } catch {
          fail('vite is not installed there; run npm ci');
        }
        const result = spawnSync(process.execPath, [vite, 'build', '--outDir', outputDir, '--emptyOutDir'], {
          cwd: frontendDir,
          encoding: 'utf8',
        });
        if (result.status !== 0) {
          fail(`${result.error?.message ?? `exit ${result.status}`}\n${result.stdout}\n${result.stderr}`);
        }
        return true;
      },
    },
  };
}
