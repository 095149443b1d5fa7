// KerasBuilder module.
