"""The file dialogs: import a model, export a project, new from a template."""
