"""Camunda 7 dialect: what Camunda Modeler writes for Camunda 7, read and run with Camunda 7's meaning.

One module per construct: `juel` (expressions), `feel` and `dmn` (decision tables), `syntax` (the
token cursor JUEL and FEEL share), `assignment` (assignee and candidates), `timers` (literal and
cron timer texts), `io_parameters` (camunda:inputOutput), `generic_form` (the form of a task with a
formKey and no fields), `specs` (the SpiffWorkflow task specs that carry them), `parsing` (their
parsers) and `checks` (what deployment refuses or notes).
See docs/camunda7.md for what is supported and how to replace what is not.
"""
