// An empty node process: what every program pays before its first import.
import { done } from "./harness.js"

done(performance.now())
