// KerasData module.
