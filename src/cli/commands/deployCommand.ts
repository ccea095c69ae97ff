import { DEPLOY_TARGETS } from '../../deploy/deployFiles.js';
import type { CommandSpec } from '../commandSpec.js';
import { jsonOption, planOptions } from '../sharedOptions.js';

export const deployCommand: CommandSpec = {
  name: 'deploy',
  describe: 'Write the plan as a deployment: Docker Compose, systemd units, Kubernetes objects or a KServe InferenceService, with a README to apply, check and remove it',
  options: {
    target: { type: 'string', describe: DEPLOY_TARGETS.join(' | ') },
    ...planOptions,
    replicas: { type: 'string', describe: 'Copies of the model (Kubernetes: pods; one machine: vLLM --data-parallel-size)' },
    out: { type: 'string', describe: 'Folder to write into (default: devstral-TARGET)' },
    name: { type: 'string', describe: 'Name of the service, units and objects (default devstral)' },
    host: { type: 'string', describe: 'Address the port is bound to on the host (compose, systemd; default 127.0.0.1)' },
    port: { type: 'string', describe: 'Port (default 8000)' },
    'served-model-name': { type: 'string', describe: 'Model name clients use (default: the profile id)' },
    'require-api-key': { type: 'boolean', describe: 'Clients must send a key; its value goes in the env file or Secret, never in the files written' },
    'storage-class': { type: 'string', describe: 'Kubernetes storage class of the weights volumes (default: the cluster\'s; shared ones need ReadWriteMany)' },
    force: { type: 'boolean', describe: 'Replace the files of an earlier deploy in --out (and remove those it no longer writes)' },
    ...jsonOption,
  },
  run: async (args) => (await import('../runDeploy.js')).runDeploy(args),
};
