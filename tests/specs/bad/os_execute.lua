-- Bad spec: tries to run a shell command.
os.execute("echo escaped")
return { layers = {} }
