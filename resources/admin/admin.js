// the shell's script
