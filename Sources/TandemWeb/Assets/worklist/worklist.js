// The worklist page: one row per study (docs/reading-room.md).
import { setUpTopBar } from "/assets/common/api.js";

setUpTopBar();
