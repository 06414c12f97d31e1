#!/usr/bin/env node
console.log('goneaway: CLI coming soon');
