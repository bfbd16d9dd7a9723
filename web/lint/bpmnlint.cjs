// Runs bpmnlint with the project's .bpmnlintrc over the .bpmn files named on the command line
// (or given as JSON {name: xml} on stdin with --stdin) and prints one JSON list of problems:
// {file, element_id, rule, category ("error" | "warn"), message}. Exit 0 whatever it finds;
// a crash exits non-zero, so the caller can tell "no problems" from "could not lint".
'use strict';

const fs = require('fs');
const path = require('path');
const { Linter } = require('bpmnlint');
const NodeResolver = require('bpmnlint/lib/resolver/node-resolver');
const BpmnModdle = require('bpmn-moddle');
const camunda = require('camunda-bpmn-moddle/resources/camunda.json');

async function lintOne(linter, name, xml) {
  const moddle = new BpmnModdle({ camunda });
  let rootElement;
  try {
    ({ rootElement } = await moddle.fromXML(xml, 'bpmn:Definitions'));
  } catch (error) {
    return [{ file: name, element_id: null, rule: 'import', category: 'error', message: `cannot be read: ${error.message}` }];
  }
  const results = await linter.lint(rootElement);
  const problems = [];
  for (const [rule, reports] of Object.entries(results)) {
    for (const report of reports) {
      problems.push({ file: name, element_id: report.id || null, rule, category: report.category, message: report.message });
    }
  }
  return problems;
}

async function main() {
  const args = process.argv.slice(2);
  const configIndex = args.indexOf('--config');
  const configPath = configIndex >= 0 ? args.splice(configIndex, 2)[1] : path.resolve(__dirname, '..', '..', '.bpmnlintrc');
  const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
  const linter = new Linter({ config, resolver: new NodeResolver() });
  let files;
  if (args[0] === '--stdin') {
    files = Object.entries(JSON.parse(fs.readFileSync(0, 'utf8')));
  } else {
    files = args.map((file) => [path.basename(file), fs.readFileSync(file, 'utf8')]);
  }
  const problems = [];
  for (const [name, xml] of files) {
    if (name.endsWith('.bpmn')) {
      problems.push(...await lintOne(linter, name, xml));
    }
  }
  process.stdout.write(JSON.stringify(problems));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack || error) + '\n');
  process.exit(2);
});
