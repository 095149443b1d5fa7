print("kerasctl")
