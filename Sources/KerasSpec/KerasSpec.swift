// KerasSpec module.
